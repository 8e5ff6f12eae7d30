import { describe, expect, it } from 'vitest';
import { diffConnections, indexOrder, mutationEvent } from '../../src/domain/connection-changes.js';
import { connection } from './fixtures.js';

const context = {
  unit: { tenantId: 't1', vendor: 'LEEN' as const, organizationId: 'org-1' },
  time: '2026-02-01T00:00:00.000Z',
  source: { kind: 'SYNC' as const },
};
const health = { name: 'auth', status: 'FAILING', description: null, resolutionOwner: 'user', details: [] };

describe('diffConnections: what changed in a unit between two listings', () => {
  it('reports a created and a removed connection, by key, with the connection before or after', () => {
    const events = diffConnections([connection('a')], [connection('b')], context);
    expect(events.map((e) => [e.type, e.changes, e.connectionKey])).toEqual([
      ['REMOVED', ['REMOVED'], 'a'],
      ['CREATED', ['CREATED'], 'b'],
    ]);
    expect(events[0]).toMatchObject({ before: connection('a'), after: null, tenantId: 't1', vendor: 'LEEN' });
    expect(events[1]).toMatchObject({ before: null, after: connection('b'), organizationId: 'org-1' });
    expect(events[0]!.time).toBe(context.time);
    expect(events[0]!.source).toEqual({ kind: 'SYNC' });
  });

  it('names the most significant change as the type and every changed aspect in changes', () => {
    const before = connection('a');
    const after = connection('a', { status: 'ERROR', vendorStatus: 'error', health, sharedTeamKeys: ['t'] });
    const [event] = diffConnections([before], [after], context);
    expect(event).toMatchObject({
      type: 'STATUS_CHANGED',
      changes: ['STATUS_CHANGED', 'SHARING_CHANGED', 'HEALTH_CHANGED'],
      before,
      after,
    });
  });

  it('reports a vendor status change even when the normalized status stays', () => {
    const [event] = diffConnections([connection('a')], [connection('a', { vendorStatus: 'syncing' })], context);
    expect(event?.changes).toEqual(['STATUS_CHANGED']);
  });

  it('reports health alone, and sharing alone (team order does not count)', () => {
    expect(diffConnections([connection('a')], [connection('a', { health })], context)[0]?.changes).toEqual([
      'HEALTH_CHANGED',
    ]);
    const shared = connection('a', { sharedTeamKeys: ['x', 'y'] });
    expect(diffConnections([connection('a')], [shared], context)[0]?.type).toBe('SHARING_CHANGED');
    expect(diffConnections([shared], [connection('a', { sharedTeamKeys: ['y', 'x'] })], context)).toEqual([]);
  });

  it('ignores changes to anything else (updatedAt, account name) and unchanged connections', () => {
    const moved = connection('a', { updatedAt: '2026-03-01T00:00:00.000Z', accountIdentifier: 'renamed' });
    expect(diffConnections([connection('a'), connection('b')], [moved, connection('b')], context)).toEqual([]);
  });

  it('compares by key whatever order the vendor lists in', () => {
    const events = diffConnections([connection('a'), connection('b')], [connection('b'), connection('a')], context);
    expect(events).toEqual([]);
  });
});

describe('mutationEvent: the one event a Junction mutation makes', () => {
  const source = { kind: 'MUTATION' as const, operation: 'updateSharing', actor: 'key:ops', requestId: 'r1' };
  it('is UPDATED when the mutation changed none of the reported aspects', () => {
    const event = mutationEvent(connection('a'), connection('a'), 'a', { ...context, source });
    expect(event).toMatchObject({ type: 'UPDATED', changes: ['UPDATED'], source });
  });
  it('is REMOVED when the connection is gone, and carries the changes otherwise', () => {
    expect(mutationEvent(connection('a'), null, 'a', { ...context, source }).type).toBe('REMOVED');
    const shared = connection('a', { sharedTeamKeys: ['t'] });
    expect(mutationEvent(connection('a'), shared, 'a', { ...context, source }).changes).toEqual(['SHARING_CHANGED']);
  });
});

describe('indexOrder', () => {
  it('sorts by key and keeps the last of a repeated key', () => {
    const repeated = connection('a', { status: 'ERROR' });
    expect(indexOrder([connection('b'), connection('a'), repeated]).map((c) => [c.key, c.status])).toEqual([
      ['a', 'ERROR'],
      ['b', 'ACTIVE'],
    ]);
  });
});
