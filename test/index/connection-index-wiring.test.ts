import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createConnectionIndex } from '../../src/sync/connection-index.js';
import { connection } from './fixtures.js';

describe('the connection index of an instance', () => {
  it('tells its listeners of the events it commits, and a faulty listener fails nothing', async () => {
    const index = await createConnectionIndex(loadConfig({}, {}));
    const heard: [string, string[]][] = [];
    index.onEvents(() => {
      throw new Error('a faulty listener');
    });
    const stop = index.onEvents((tenantId, events) => heard.push([tenantId, events.map((e) => e.id)]));
    const unit = { tenantId: 't1', vendor: 'LEEN' as const, organizationId: 'org-1' };
    const base = { syncedAt: new Date().toISOString(), lease: null };
    await index.store.commit(unit, { ...base, expectedVersion: null, connections: [], events: [] });
    const c = connection('a');
    const event = {
      type: 'CREATED' as const,
      changes: ['CREATED' as const],
      time: base.syncedAt,
      tenantId: 't1',
      vendor: 'LEEN' as const,
      organizationId: 'org-1',
      connectionKey: 'a',
      before: null,
      after: c,
      source: { kind: 'SYNC' as const },
    };
    const committed = await index.store.commit(unit, {
      ...base,
      expectedVersion: 1,
      connections: [c],
      events: [event],
    });
    if (committed.status !== 'committed') throw new Error('the commit was refused');
    expect(heard).toEqual([['t1', [committed.events[0]!.id]]]);
    stop();
    await index.store.commit(unit, {
      ...base,
      expectedVersion: 2,
      connections: [],
      events: [{ ...event, type: 'REMOVED', changes: ['REMOVED'], before: c, after: null }],
    });
    expect(heard).toHaveLength(1);
    await index.close();
  });
});
