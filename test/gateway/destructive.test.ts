import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { USERHUB_SEED } from '../../src/sandbox/userhub/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Dry runs across every vendor, and the confirmation guard: whatever a dry run
 * is asked to remove, no simulator sees anything but GETs, and every connection
 * is still there afterwards.
 */

const CONNECTIONS = `{ connections { nodes { id provider { vendor } } vendorErrors { vendor } } }`;
const DISCONNECT = `mutation ($input: DisconnectIntegrationInput!) {
  disconnectIntegration(input: $input) { dryRun disconnectedActionCount connection { id } userErrors { code field } }
}`;
const DELETE = `mutation ($input: DeleteConnectionInput!) {
  deleteConnection(input: $input) { dryRun connection { id } userErrors { code field } }
}`;

type Payload = {
  dryRun: boolean;
  connection: { id: string } | null;
  disconnectedActionCount?: number;
  userErrors: { code: string; field: string[] }[];
};

describe('destructive operations', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const writes = () =>
    [...stack.sandbox.simulators.values()].flatMap((s) =>
      s
        .requests()
        .filter((r) => r.method !== 'GET')
        .map((r) => `${s.vendor} ${r.method} ${r.path}`),
    );
  const connections = async () => {
    const { body } = await stack.gql<{ connections: { nodes: { id: string; provider: { vendor: string } }[] } }>(
      CONNECTIONS,
    );
    expect(body.errors).toBeUndefined();
    return body.data!.connections.nodes;
  };

  it('a dry run of either mutation, on every connection of every vendor, calls only GETs and removes nothing', async () => {
    const before = await connections();
    expect(new Set(before.map((c) => c.provider.vendor)).size).toBe(5);
    const reported = new Set<string>();
    for (const { id, provider } of before) {
      const disconnect = await stack.gql<{ disconnectIntegration: Payload }>(DISCONNECT, {
        input: { connectionId: id, dryRun: true },
      });
      const external = provider.vendor === 'USERHUB';
      const del = await stack.gql<{ deleteConnection: Payload }>(DELETE, {
        input: {
          connectionId: id,
          dryRun: true,
          deleteExternalAccount: external,
          confirmConnectionId: external ? id : null,
        },
      });
      for (const payload of [disconnect.body.data!.disconnectIntegration, del.body.data!.deleteConnection]) {
        expect(payload.dryRun).toBe(true);
        if (payload.userErrors.length === 0) {
          // A supported dry run reports the very connection it would remove, and counts nothing as removed.
          expect(payload.connection?.id).toBe(id);
          expect(payload.disconnectedActionCount ?? 0).toBe(0);
          reported.add(provider.vendor);
        } else expect(payload.userErrors.map((e) => e.code)).toEqual(['UNSUPPORTED_OPERATION']);
      }
    }
    expect([...reported].sort()).toEqual(['LEEN', 'OUTLIT', 'PROJECTMANAGER', 'SUPERVITY', 'USERHUB']);
    expect(writes()).toEqual([]);
    await stack.reset(); // empties the cache: the next read asks the vendors again
    expect((await connections()).map((c) => c.id)).toEqual(before.map((c) => c.id));
  });

  describe("UserHub's deleteExternalAccount", () => {
    const [ACME] = USERHUB_SEED as [(typeof USERHUB_SEED)[number]];
    const id = globalId(['Connection', 'USERHUB', ACME.id, 'conn_4HdRKnTvPmmjYK']);

    it.each([
      ['no confirmation', undefined, false],
      ['no confirmation, in a dry run', undefined, true],
      [
        'a confirmation naming another connection',
        globalId(['Connection', 'USERHUB', ACME.id, 'conn_8sLmQ2wZxY3aBc']),
        false,
      ],
    ])('with %s is CONFIRMATION_REQUIRED and calls nothing', async (_label, confirmConnectionId, dryRun) => {
      const { body } = await stack.gql<{ deleteConnection: Payload }>(DELETE, {
        input: { connectionId: id, deleteExternalAccount: true, confirmConnectionId, dryRun },
      });
      expect(body.data!.deleteConnection).toEqual({
        dryRun,
        connection: null,
        userErrors: [{ code: 'CONFIRMATION_REQUIRED', field: ['input', 'confirmConnectionId'] }],
      });
      expect(writes()).toEqual([]);
    });

    it('is not a way around the guard with an idempotency key either', async () => {
      const input = { connectionId: id, deleteExternalAccount: true, idempotencyKey: 'no-confirm-1' };
      for (let attempt = 0; attempt < 2; attempt++) {
        const { body } = await stack.gql<{ deleteConnection: Payload }>(DELETE, { input });
        expect(body.data!.deleteConnection.userErrors.map((e) => e.code)).toEqual(['CONFIRMATION_REQUIRED']);
      }
      // With the confirmation it is a different input: the key is refused rather than replaying the refusal.
      const confirmed = await stack.gql<{ deleteConnection: Payload }>(DELETE, {
        input: { ...input, confirmConnectionId: id },
      });
      expect(confirmed.body.data!.deleteConnection.userErrors.map((e) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(writes()).toEqual([]);
    });
  });
});
