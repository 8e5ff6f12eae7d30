import { describe, expect, it } from 'vitest';
import { createMemoryConnectionIndexStore } from '../../src/cache/connection-index-store.js';
import { createMemoryLeaseStore } from '../../src/cache/lease-store.js';
import { mutationIndex } from '../../src/domain/index-sync.js';
import type { ConnectionModel } from '../../src/domain/models.js';
import type { VendorAdapter } from '../../src/vendors/port.js';
import { connection } from './fixtures.js';

/** The index after a mutation: the unit listed again, the mutated connection's change its one MUTATION event. */

const unit = { tenantId: 't1', vendor: 'LEEN' as const, organizationId: 'org-1' };

async function setup(indexed: ConnectionModel[], listed: ConnectionModel[], syncedAt: number) {
  const leases = createMemoryLeaseStore({ owner: 'a' });
  const store = createMemoryConnectionIndexStore({ retention: { maxEntries: 100, maxAgeSeconds: 0 }, leases });
  const iso = new Date(syncedAt).toISOString();
  await store.commit(unit, { expectedVersion: null, syncedAt: iso, connections: indexed, events: [], lease: null });
  // A stub of the vendor port: what the vendor lists after the write.
  const adapter = { vendor: 'LEEN', listConnections: async () => listed } as unknown as VendorAdapter;
  const errors: unknown[] = [];
  const index = (startedAt: number) =>
    mutationIndex({
      store,
      adapters: new Map([['LEEN', adapter]]),
      tenantId: 't1',
      actor: 'key:ops',
      requestId: 'r1',
      now: () => startedAt + 5,
      startedAt,
      onError: (error) => errors.push(error),
    });
  const events = async () => (await store.readEvents('t1', { after: null, limit: 100 })).events;
  return { store, index, events, errors };
}

describe('mutationIndex', () => {
  const source = { kind: 'MUTATION', operation: 'disconnectIntegration', actor: 'key:ops', requestId: 'r1' };

  it('marks the listed change of the mutated connection as the mutation, other changes as the sync saw them', async () => {
    const { index, events } = await setup(
      [connection('a'), connection('b')],
      [connection('b', { status: 'ERROR' })],
      1000,
    );
    await index(2000).afterMutation('disconnectIntegration', { ...unit, key: 'a', after: null });
    expect((await events()).map((e) => [e.type, e.connectionKey, e.source])).toEqual([
      ['REMOVED', 'a', source],
      ['STATUS_CHANGED', 'b', { kind: 'SYNC' }],
    ]);
  });

  it('finds a connection a disconnect named by provider', async () => {
    const { index, events } = await setup([connection('a'), connection('b')], [connection('b')], 1000);
    await index(2000).afterMutation('disconnectIntegration', {
      ...unit,
      key: null,
      provider: 'provider-a',
      after: null,
    });
    expect((await events()).map((e) => [e.type, e.connectionKey, e.source.kind])).toEqual([
      ['REMOVED', 'a', 'MUTATION'],
    ]);
  });

  it('reports a mutation the listing does not show as UPDATED, unless a sync since the request began listed it', async () => {
    const quiet = await setup([connection('a')], [connection('a')], 1000);
    await quiet.index(2000).afterMutation('disconnectIntegration', { ...unit, key: 'a', after: connection('a') });
    expect((await quiet.events()).map((e) => [e.type, e.source.kind])).toEqual([['UPDATED', 'MUTATION']]);

    const raced = await setup([connection('a')], [connection('a')], 3000);
    await raced.index(2000).afterMutation('disconnectIntegration', { ...unit, key: 'a', after: connection('a') });
    expect(await raced.events()).toEqual([]);
  });

  it('leaves a unit never indexed to its first sync', async () => {
    const { index, store, events, errors } = await setup([], [connection('a')], 1000);
    const other = { ...unit, organizationId: 'org-2' };
    await index(2000).afterMutation('deleteConnection', { ...other, key: 'a', after: null });
    expect(await store.read('t1', [other])).toEqual([null]);
    expect(await events()).toEqual([]);
    expect(errors).toEqual([]);
  });
});
