import type { ConnectionEventInput, ConnectionEventSource, ConnectionEventType, SyncUnit } from './connection-index.js';
import type { ConnectionModel } from './models.js';

/**
 * What changed in one unit between two listings, as events: one per connection
 * key that was created, removed, or whose status, sharing or health changed.
 * Anything else (updatedAt, a renamed account) is stored by the next commit
 * but is no event: a subscriber is told about what it can act on.
 */

/** The aspects an event reports, most significant first (an event's `type` is the first that changed). */
const ASPECTS: readonly [Exclude<ConnectionEventType, 'CREATED' | 'REMOVED' | 'UPDATED'>, Aspect][] = [
  ['STATUS_CHANGED', (c) => [c.status, c.vendorStatus]],
  ['SHARING_CHANGED', (c) => (c.sharedTeamKeys === null ? null : [...c.sharedTeamKeys].sort())],
  ['HEALTH_CHANGED', (c) => c.health],
];
type Aspect = (connection: ConnectionModel) => unknown;

/** Private: structural equality of JSON-like values (models are plain data; key order is the mapper's, so compared by name). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bKeys = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The aspects that differ between two states of one connection, most significant first (empty: none). */
export function changedAspects(before: ConnectionModel, after: ConnectionModel): ConnectionEventType[] {
  return ASPECTS.filter(([, aspect]) => !same(aspect(before), aspect(after))).map(([type]) => type);
}

/** Whether two states of a connection differ in anything but `updatedAt` (the entry is worth rewriting). */
export function sameConnection(before: ConnectionModel, after: ConnectionModel): boolean {
  return same({ ...before, updatedAt: null }, { ...after, updatedAt: null });
}

export interface DiffContext {
  readonly unit: SyncUnit;
  /** ISO 8601 time the events carry. */
  readonly time: string;
  readonly source: ConnectionEventSource;
}

/** Private: one event of the diff. */
function event(
  context: DiffContext,
  key: string,
  changes: readonly ConnectionEventType[],
  before: ConnectionModel | null,
  after: ConnectionModel | null,
): ConnectionEventInput {
  const { unit, time, source } = context;
  return {
    type: changes[0]!,
    changes,
    time,
    tenantId: unit.tenantId,
    vendor: unit.vendor,
    organizationId: unit.organizationId,
    connectionKey: key,
    before,
    after,
    source,
  };
}

/**
 * The events between a unit's indexed listing and a new one, by connection key, in key order.
 * Duplicate keys in a listing (a vendor that repeats itself): the last one counts.
 */
export function diffConnections(
  before: readonly ConnectionModel[],
  after: readonly ConnectionModel[],
  context: DiffContext,
): ConnectionEventInput[] {
  const old = new Map(before.map((c) => [c.key, c]));
  const now = new Map(after.map((c) => [c.key, c]));
  const keys = [...new Set([...old.keys(), ...now.keys()])].sort();
  const events: ConnectionEventInput[] = [];
  for (const key of keys) {
    const was = old.get(key) ?? null;
    const is = now.get(key) ?? null;
    if (!was) events.push(event(context, key, ['CREATED'], null, is));
    else if (!is) events.push(event(context, key, ['REMOVED'], was, null));
    else {
      const changes = changedAspects(was, is);
      if (changes.length > 0) events.push(event(context, key, changes, was, is));
    }
  }
  return events;
}

/** The event a Junction mutation of one connection makes: its changes, or UPDATED when it changed none of them. */
export function mutationEvent(
  before: ConnectionModel | null,
  after: ConnectionModel | null,
  key: string,
  context: DiffContext,
): ConnectionEventInput {
  if (!before) return event(context, key, ['CREATED'], null, after);
  if (!after) return event(context, key, ['REMOVED'], before, null);
  const changes = changedAspects(before, after);
  return event(context, key, changes.length > 0 ? changes : ['UPDATED'], before, after);
}

/** A listing in index order (by key, one connection per key: the last of a repeated key). */
export function indexOrder(connections: readonly ConnectionModel[]): ConnectionModel[] {
  return [...new Map(connections.map((c) => [c.key, c])).values()].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
}
