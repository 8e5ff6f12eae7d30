import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SUPERVITY_SEED } from '../../src/sandbox/supervity/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * disconnectIntegration without `action` on Supervity deletes every action of
 * the integration, for every account of it in the organization. It needs a
 * confirmation repeating the integration slug; without one the answer is
 * CONFIRMATION_REQUIRED and nothing is deleted. A dry run lists what would go.
 */

const [ACME, ...others] = SUPERVITY_SEED;
// Two accounts of one integration: a slug-wide DELETE affects both.
const SECOND_GOOGLE = {
  id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  accountIdentifier: 'john.roe@acme.com',
  integrationSlug: 'google-workspace',
  baseUrl: null,
  sharedTeamKeys: [],
};
const SEED = [{ ...ACME!, accounts: [...ACME!.accounts, SECOND_GOOGLE] }, ...others];

const ORG = globalId(['Organization', 'SUPERVITY', 'org_acme']);
const GOOGLE = globalId(['Connection', 'SUPERVITY', 'org_acme', 'google-workspace:jane.doe@acme.com']);
const DELETE_ROUTE = 'DELETE /api/v1/integrations/{integrationSlug}/actions/{actionName}';

const DISCONNECT = /* GraphQL */ `
  mutation ($input: DisconnectIntegrationInput!) {
    disconnectIntegration(input: $input) {
      dryRun
      disconnectedActionCount
      affectedConnections {
        accountIdentifier
      }
      affectedActions {
        name
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

describe('disconnecting a whole Supervity integration', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ sandbox: { supervity: { seed: SEED } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const deletes = () => stack.sandbox.get('SUPERVITY').stats().byRoute[DELETE_ROUTE] ?? 0;
  const confirmationRequired = {
    disconnectIntegration: {
      dryRun: false,
      disconnectedActionCount: 0,
      affectedConnections: [],
      affectedActions: [],
      userErrors: [
        {
          code: 'CONFIRMATION_REQUIRED',
          field: ['input', 'confirmProvider'],
          message: expect.stringContaining('every'),
        },
      ],
    },
  };

  it('without confirmProvider, or with another slug, is CONFIRMATION_REQUIRED and calls nothing', async () => {
    for (const confirmProvider of [undefined, 'github', 'Google-Workspace']) {
      const { body } = await stack.gql(DISCONNECT, {
        input: { organizationId: ORG, provider: 'google-workspace', confirmProvider },
      });
      expect(body.data).toEqual(confirmationRequired);
    }
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('named by connection ID, the slug must be repeated too; no DELETE is sent without it', async () => {
    const { body } = await stack.gql(DISCONNECT, { input: { connectionId: GOOGLE } });
    expect(body.data).toEqual(confirmationRequired);
    expect(deletes()).toBe(0);
  });

  it('a dry run needs no confirmation and lists every account and action it would remove', async () => {
    const { body } = await stack.gql(DISCONNECT, {
      input: { organizationId: ORG, provider: 'google-workspace', dryRun: true },
    });
    expect(body.data).toEqual({
      disconnectIntegration: {
        dryRun: true,
        disconnectedActionCount: 0,
        affectedConnections: [{ accountIdentifier: 'jane.doe@acme.com' }, { accountIdentifier: 'john.roe@acme.com' }],
        affectedActions: [{ name: 'send-email' }, { name: 'create-event' }, { name: 'upload-file' }],
        userErrors: [],
      },
    });
    // One action: only it is listed.
    const one = await stack.gql(DISCONNECT, {
      input: { connectionId: GOOGLE, action: 'create-event', dryRun: true },
    });
    expect(one.body.data).toMatchObject({
      disconnectIntegration: { affectedActions: [{ name: 'create-event' }], userErrors: [] },
    });
    expect(deletes()).toBe(0);
  });

  it('with the slug repeated it disconnects; one action needs no confirmation', async () => {
    const action = await stack.gql(DISCONNECT, { input: { connectionId: GOOGLE, action: 'send-email' } });
    expect(action.body.data).toMatchObject({ disconnectIntegration: { disconnectedActionCount: 1, userErrors: [] } });
    const all = await stack.gql(DISCONNECT, {
      input: { organizationId: ORG, provider: 'google-workspace', confirmProvider: 'google-workspace' },
    });
    expect(all.body.data).toMatchObject({
      disconnectIntegration: { dryRun: false, disconnectedActionCount: 2, affectedConnections: [], userErrors: [] },
    });
    expect(deletes()).toBe(2);
  });
});
