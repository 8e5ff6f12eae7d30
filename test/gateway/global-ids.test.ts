import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  connectionGlobalId,
  decodeGlobalId,
  encodeGlobalId,
  organizationGlobalId,
  type GlobalId,
} from '../../src/domain/global-id.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { USERHUB_SEED } from '../../src/sandbox/userhub/seed.js';
import { globalId, legacyGlobalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Global IDs: Junction hands out the compact form (UUIDs packed into bytes),
 * and IDs of the first form (base64url JSON) that clients already hold keep
 * resolving, to the same nodes, everywhere an ID is accepted.
 */

const [ACME] = LEEN_SEED as [(typeof LEEN_SEED)[number]];
const [UH_ACME] = USERHUB_SEED as [(typeof USERHUB_SEED)[number]];
const CONNECTION = ACME.connections[0]!;
const STRIPE = 'conn_4HdRKnTvPmmjYK';

const ORGANIZATION = /* GraphQL */ `
  query ($id: ID!) {
    organization(id: $id) {
      id
      connections {
        id
        externalId
      }
    }
  }
`;
const NODE = /* GraphQL */ `
  query ($id: ID!) {
    node(id: $id) {
      id
      __typename
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      dryRun
      connection {
        id
      }
      userErrors {
        code
      }
    }
  }
`;

describe('global IDs over HTTP', () => {
  let stack: TestStack;
  beforeAll(async () => void (stack = await startStack()));
  afterAll(async () => stack?.close());
  beforeEach(async () => stack.reset());

  it('hands out compact IDs: a Leen connection ID is 47 characters, less than half the first form', async () => {
    const { body } = await stack.gql<{ organization: { id: string; connections: { id: string }[] } }>(ORGANIZATION, {
      id: globalId(['Organization', 'LEEN', ACME.id]),
    });
    const connectionId = body.data!.organization.connections[0]!.id;
    expect(connectionId).toHaveLength(47);
    expect(legacyGlobalId(['Connection', 'LEEN', ACME.id, CONNECTION.id]).length).toBeGreaterThan(100);
    expect(decodeGlobalId(connectionId)).toEqual({
      typename: 'Connection',
      vendor: 'LEEN',
      organizationId: ACME.id,
      keys: [CONNECTION.id],
    });
    expect(body.data!.organization.id).toBe(globalId(['Organization', 'LEEN', ACME.id]));
  });

  it('an ID of the first form resolves to the same organization, connection and node, answered with compact IDs', async () => {
    const legacyOrganization = legacyGlobalId(['Organization', 'LEEN', ACME.id]);
    const legacyConnection = legacyGlobalId(['Connection', 'LEEN', ACME.id, CONNECTION.id]);
    const compactConnection = globalId(['Connection', 'LEEN', ACME.id, CONNECTION.id]);

    const organization = await stack.gql<{ organization: { id: string; connections: { id: string }[] } }>(
      ORGANIZATION,
      { id: legacyOrganization },
    );
    expect(organization.body.errors).toBeUndefined();
    expect(organization.body.data!.organization.id).toBe(globalId(['Organization', 'LEEN', ACME.id]));
    expect(organization.body.data!.organization.connections.map((c) => c.id)).toContain(compactConnection);

    const node = await stack.gql<{ node: { id: string; __typename: string } }>(NODE, { id: legacyConnection });
    expect(node.body.data!.node).toEqual({ id: compactConnection, __typename: 'Connection' });

    const dryRun = await stack.gql(DELETE, { input: { connectionId: legacyConnection, dryRun: true } });
    expect(dryRun.body.data!.deleteConnection).toMatchObject({
      dryRun: true,
      connection: { id: compactConnection },
      userErrors: [],
    });
  });

  it("a confirmation in the other form confirms: UserHub's deleteExternalAccount dry run", async () => {
    const { body } = await stack.gql(DELETE, {
      input: {
        connectionId: globalId(['Connection', 'USERHUB', UH_ACME.id, STRIPE]),
        confirmConnectionId: legacyGlobalId(['Connection', 'USERHUB', UH_ACME.id, STRIPE]),
        deleteExternalAccount: true,
        dryRun: true,
      },
    });
    expect(body.data!.deleteConnection).toMatchObject({ dryRun: true, userErrors: [] });
  });

  it.each([
    ['a truncated compact ID', globalId(['Connection', 'LEEN', ACME.id, CONNECTION.id]).slice(0, -4)],
    ['a compact ID with bytes appended', `${globalId(['Organization', 'LEEN', ACME.id])}AAAA`],
    ['an unknown header byte', Buffer.from([0xe0, 0, ...Buffer.alloc(16)]).toString('base64url')],
    [
      'a UUID spelled as text where the compact form packs it (a second spelling of one node)',
      Buffer.from([0x80 | 3, ACME.id.length, ...Buffer.from(ACME.id)]).toString('base64url'),
    ],
  ])('%s is BAD_USER_INPUT before any vendor call', async (_label, id) => {
    const { body } = await stack.gql(ORGANIZATION, { id });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });
});

describe('the compact form', () => {
  it.each<GlobalId>([
    { typename: 'Organization', vendor: 'OUTLIT', organizationId: 'acme', keys: [] },
    { typename: 'Connection', vendor: 'SUPERVITY', organizationId: 'org_1', keys: ['slack:acct-42'] },
    { typename: 'Action', vendor: 'SUPERVITY', organizationId: 'org_1', keys: ['slack', 'send_message'] },
    // Not canonical lowercase: kept as text, so the vendor gets back exactly what it sent.
    { typename: 'Connection', vendor: 'PROJECTMANAGER', organizationId: 'ws', keys: [CONNECTION.id.toUpperCase()] },
    { typename: 'Provider', vendor: 'USERHUB', organizationId: 'é漢字🙂', keys: ['x'.repeat(400)] },
  ])('round-trips $typename $vendor $keys', (id) => {
    const encoded = encodeGlobalId(id);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeGlobalId(encoded)).toEqual(id);
  });

  /** IDs clients hold: each the very string Junction has handed out since the compact form came, byte for byte. */
  const U1 = '9b2f1d4e-7a6c-4e11-8f3b-2d5c6a7e8f90';
  const U2 = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
  it.each<[GlobalId, string]>([
    [{ typename: 'Organization', vendor: 'LEEN', organizationId: U1, keys: [] }, 'gACbLx1OemxOEY87LVxqfo-Q'],
    [
      { typename: 'Connection', vendor: 'LEEN', organizationId: U1, keys: [U2] },
      'iACbLx1OemxOEY87LVxqfo-QADyQw8wNREtQiIiN0lc2BSo',
    ],
    [
      { typename: 'Provider', vendor: 'LEEN', organizationId: U1, keys: ['TENABLE'] },
      'kACbLx1OemxOEY87LVxqfo-QB1RFTkFCTEU',
    ],
    [
      { typename: 'Action', vendor: 'SUPERVITY', organizationId: U1, keys: ['slack', 'send_message'] },
      'mwCbLx1OemxOEY87LVxqfo-QBXNsYWNrDHNlbmRfbWVzc2FnZQ',
    ],
    [{ typename: 'Organization', vendor: 'OUTLIT', organizationId: 'acme', keys: [] }, 'gQRhY21l'],
    [
      { typename: 'Connection', vendor: 'SUPERVITY', organizationId: 'org_1', keys: ['slack:acct-42'] },
      'iwVvcmdfMQ1zbGFjazphY2N0LTQy',
    ],
    [
      { typename: 'Connection', vendor: 'PROJECTMANAGER', organizationId: U1, keys: [U2.toUpperCase()] },
      'igCbLx1OemxOEY87LVxqfo-QJDNDOTBDM0NDLTBENDQtNEI1MC04ODg4LThERDI1NzM2MDUyQQ',
    ],
    [{ typename: 'Connection', vendor: 'USERHUB', organizationId: 'ws', keys: [U2] }, 'jAJ3cwA8kMPMDURLUIiIjdJXNgUq'],
    [
      { typename: 'Provider', vendor: 'USERHUB', organizationId: 'é漢字🙂', keys: ['x'.repeat(200)] },
      `lAzDqea8ouWtl_CfmYLIAXh4${'eHh4'.repeat(66)}`,
    ],
    [
      { typename: 'Action', vendor: 'OUTLIT', organizationId: U2, keys: [U1, 'a'.repeat(130)] },
      `mQA8kMPMDURLUIiIjdJXNgUqAJsvHU56bE4RjzstXGp-j5CCAW${'FhYW'.repeat(43)}E`,
    ],
  ])('encodes $0.typename $0.vendor as the ID clients already hold', (id, expected) => {
    expect(encodeGlobalId(id)).toBe(expected);
    // Twice: the second is served from what the first remembered of the organization.
    expect(encodeGlobalId(id)).toBe(expected);
    if (id.typename === 'Organization') expect(organizationGlobalId(id.vendor, id.organizationId)).toBe(expected);
    if (id.typename === 'Connection')
      expect(connectionGlobalId(id.vendor, id.organizationId, id.keys[0]!)).toBe(expected);
    expect(decodeGlobalId(expected)).toEqual(id);
  });
});
