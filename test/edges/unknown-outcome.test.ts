import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';
import { FAST_UPSTREAM } from '../resilience/helpers.js';

/**
 * A destructive call that timed out, or whose connection was reset after it
 * was sent, may have been applied. Junction reads the vendor's state to settle
 * it; when the read cannot, it answers UPSTREAM_OUTCOME_UNKNOWN and keeps the
 * outcome under the idempotency key, and a keyed retry settles it first,
 * never sending an irreversible call again under the same key.
 */

const LEEN_ORG = LEEN_SEED[0]!;
const LEEN_CONNECTION = globalId(['Connection', 'LEEN', LEEN_ORG.id, LEEN_ORG.connections[0]!.id]);
const SHARE = globalId(['Connection', 'SUPERVITY', 'org_acme', 'google-workspace:jane.doe@acme.com']);
const USERHUB = globalId(['Connection', 'USERHUB', 'org_28seyVGVL1got6', 'conn_4HdRKnTvPmmjYK']);
const USERHUB_DISCONNECT = 'POST /admin/v1/organizations/{organizationId}:disconnect';

const PAYLOAD = 'connection { status sharedTeamKeys } userErrors { code field message }';
const DELETE = `mutation ($input: DeleteConnectionInput!) { m: deleteConnection(input: $input) { ${PAYLOAD} } }`;
const SHARING = `mutation ($input: UpdateSharingInput!) { m: updateSharing(input: $input) { ${PAYLOAD} } }`;

describe('writes whose outcome is unknown', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ config: { upstream: FAST_UPSTREAM } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const read = (id: string) => stack.gql('query ($id: ID!) { connection(id: $id) { id } }', { id });
  const posts = () => stack.sandbox.get('USERHUB').stats().byRoute[USERHUB_DISCONNECT] ?? 0;
  const irreversible = (idempotencyKey: string) => ({
    connectionId: USERHUB,
    deleteExternalAccount: true,
    confirmConnectionId: USERHUB,
    idempotencyKey,
  });

  it('Leen: a DELETE applied, then its connection reset, is settled by a read as APPLIED', async () => {
    stack.sandbox.get('LEEN').addFault({ method: 'DELETE', kind: 'applied-reset', times: 1 });
    const { body } = await stack.gql(DELETE, { input: { connectionId: LEEN_CONNECTION } });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ m: { connection: { status: 'DISCONNECTED', sharedTeamKeys: null }, userErrors: [] } });
    expect((await read(LEEN_CONNECTION)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('Supervity: a PATCH applied, then never answered, is settled as APPLIED from the team keys read back', async () => {
    stack.sandbox.get('SUPERVITY').addFault({ method: 'PATCH', kind: 'applied-hang', times: 1 });
    const { body } = await stack.gql(SHARING, { input: { connectionId: SHARE, teamKeys: ['ops', 'sales'] } });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      m: { connection: { status: 'ACTIVE', sharedTeamKeys: ['ops', 'sales'] }, userErrors: [] },
    });
  });

  it('a reset before the vendor acted is settled as NOT_APPLIED: the error says so, and nothing changed', async () => {
    await read(USERHUB);
    stack.sandbox.get('USERHUB').addFault({ method: 'POST', kind: 'reset', times: 1 });
    const { body } = await stack.gql(DELETE, { input: irreversible(`n-${randomUUID()}`) });
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'NOT_APPLIED' });
    expect((await read(USERHUB)).body.errors).toBeUndefined();
  });

  it('unsettled: UPSTREAM_OUTCOME_UNKNOWN; the keyed retry settles it first and never sends the POST again', async () => {
    await read(USERHUB);
    const userhub = stack.sandbox.get('USERHUB');
    userhub.addFault({ method: 'POST', kind: 'applied-reset', times: 1 });
    // The settling read fails too (every attempt of it).
    userhub.addFault({ method: 'GET', status: 503, body: { code: 'UNAVAILABLE' }, times: 3 });
    const key = `u-${randomUUID()}`;
    const first = await stack.gql(DELETE, { input: irreversible(key) });
    expect(first.body.data).toBeNull();
    expect(first.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_OUTCOME_UNKNOWN',
      outcome: 'UNKNOWN',
      vendor: 'USERHUB',
      retryAfter: expect.any(Number),
    });
    expect(posts()).toBe(1);

    const retry = await stack.gql(DELETE, { input: irreversible(key) });
    expect(retry.body.errors).toBeUndefined();
    expect(retry.body.data).toEqual({
      m: { connection: { status: 'DISCONNECTED', sharedTeamKeys: null }, userErrors: [] },
    });
    const again = await stack.gql(DELETE, { input: irreversible(key) });
    expect(again.body).toEqual(retry.body);
    expect(posts()).toBe(1);
  });

  it('a keyed retry that finds the irreversible call not applied asks for a fresh confirmation (a new key)', async () => {
    await read(USERHUB);
    const userhub = stack.sandbox.get('USERHUB');
    userhub.addFault({ method: 'POST', kind: 'reset', times: 1 });
    userhub.addFault({ method: 'GET', status: 503, body: { code: 'UNAVAILABLE' }, times: 3 });
    const key = `c-${randomUUID()}`;
    const first = await stack.gql(DELETE, { input: irreversible(key) });
    expect(first.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');

    const retry = await stack.gql(DELETE, { input: irreversible(key) });
    expect(retry.body.data).toMatchObject({
      m: { connection: null, userErrors: [{ code: 'CONFIRMATION_REQUIRED', field: ['input', 'idempotencyKey'] }] },
    });
    expect(posts()).toBe(1);
    // A new key is the fresh confirmation.
    const fresh = await stack.gql(DELETE, { input: irreversible(`f-${randomUUID()}`) });
    expect(fresh.body.data).toMatchObject({ m: { connection: { status: 'DISCONNECTED' }, userErrors: [] } });
    expect(posts()).toBe(2);
  });
});
