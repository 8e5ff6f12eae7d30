import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PM_USERS } from '../../src/sandbox/projectmanager/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * One input policy for every free-text input (team keys, slugs, provider ids,
 * action names, connection keys, filters): no C0/C1 control characters, no
 * bidi embeddings, overrides or isolates, at most 128 characters. A violation
 * is INVALID_INPUT with the field path (BAD_USER_INPUT in a query), and no
 * vendor is called.
 */

const SUPERVITY_ORG = globalId(['Organization', 'SUPERVITY', 'org_acme']);
const GOOGLE = globalId(['Connection', 'SUPERVITY', 'org_acme', 'google-workspace:jane.doe@acme.com']);
const OUTLIT_ORG = globalId(['Organization', 'OUTLIT', 'acme']);
const PM_ORG = globalId(['Organization', 'PROJECTMANAGER', PM_USERS[0]!.workspace]);

const UPDATE_SHARING = /* GraphQL */ `
  mutation ($input: UpdateSharingInput!) {
    updateSharing(input: $input) {
      connection {
        sharedTeamKeys
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;
const DISCONNECT = /* GraphQL */ `
  mutation ($input: DisconnectIntegrationInput!) {
    disconnectIntegration(input: $input) {
      connection {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

/** Values each rule refuses. */
const BAD_TEXT: readonly (readonly [label: string, value: string])[] = [
  ['NUL', 'eng\u0000ineering'],
  ['BEL', 'eng\u0007'],
  ['ESC (a terminal escape)', '\u001b[31mred'],
  ['DEL', 'eng\u007f'],
  ['a C1 control (NEL)', 'eng\u0085'],
  ['a right-to-left override', 'team\u202Egnp.exe'],
  ['a left-to-right embedding', '\u202Ateam'],
  ['a first-strong isolate', 'team\u2068x\u2069'],
  ['129 characters', 'k'.repeat(129)],
];

describe('the input policy, before any vendor call', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it.each(BAD_TEXT)(
    'updateSharing refuses a team key with %s: INVALID_INPUT naming its index, no PATCH',
    async (_l, bad) => {
      const { body } = await stack.gql(UPDATE_SHARING, { input: { connectionId: GOOGLE, teamKeys: ['sales', bad] } });
      expect(body.errors).toBeUndefined();
      expect(body.data!.updateSharing).toMatchObject({
        connection: null,
        userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'teamKeys', '1'] }],
      });
      expect(JSON.stringify(body)).not.toContain(bad);
      expect(stack.sandbox.totalRequests()).toBe(0);
    },
  );

  it.each(BAD_TEXT)(
    'disconnectIntegration refuses a provider with %s, at every vendor that takes one',
    async (_l, bad) => {
      for (const organizationId of [SUPERVITY_ORG, OUTLIT_ORG, PM_ORG]) {
        const { body } = await stack.gql(DISCONNECT, { input: { organizationId, provider: bad, dryRun: true } });
        expect(body.data!.disconnectIntegration).toMatchObject({
          connection: null,
          userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'provider'] }],
        });
      }
      expect(stack.sandbox.totalRequests()).toBe(0);
    },
  );

  it('a 300-character slug is refused before Supervity is read', async () => {
    const { body } = await stack.gql(DISCONNECT, {
      input: { organizationId: SUPERVITY_ORG, provider: 'a'.repeat(300) },
    });
    expect(body.data!.disconnectIntegration).toMatchObject({
      userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'provider'], message: expect.stringContaining('128') }],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it.each(BAD_TEXT)('disconnectIntegration refuses an action name with %s', async (_l, bad) => {
    const { body } = await stack.gql(DISCONNECT, {
      input: { organizationId: SUPERVITY_ORG, provider: 'google-workspace', action: bad },
    });
    expect(body.data!.disconnectIntegration).toMatchObject({
      userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'action'] }],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a connection key with a control character inside a well-formed ID is BAD_USER_INPUT, no vendor read', async () => {
    const id = globalId(['Connection', 'SUPERVITY', 'org_acme', 'google-workspace:jane\u0000@acme.com']);
    const { body } = await stack.gql('query ($id: ID!) { connection(id: $id) { id } }', { id });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const mutation = await stack.gql(UPDATE_SHARING, { input: { connectionId: id, teamKeys: ['sales'] } });
    expect(mutation.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a connections filter with a bidi override is BAD_USER_INPUT naming filter.provider, no vendor read', async () => {
    const { body } = await stack.gql('query ($p: String) { connections(filter: { provider: $p }) { totalCount } }', {
      p: 'stripe\u202E',
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'filter.provider' });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('ordinary text still passes: accented team keys of 128 characters reach Supervity', async () => {
    const teamKeys = ['équipe-données', 'k'.repeat(128)];
    const { body } = await stack.gql(UPDATE_SHARING, { input: { connectionId: GOOGLE, teamKeys } });
    expect(body.data!.updateSharing).toEqual({ connection: { sharedTeamKeys: teamKeys }, userErrors: [] });
  });
});
