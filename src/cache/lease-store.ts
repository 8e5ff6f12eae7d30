import type { Lease, LeaseStore } from '../domain/connection-index.js';
import { createRedisClient, tenantKeyPrefix, type RedisClientOptions } from './redis-client.js';

/**
 * Leases on background work (the domain's LeaseStore port): who may sync a
 * unit now. A grant takes a fence token from a counter per tenant that only
 * grows, so a writer whose lease expired and was granted again elsewhere is
 * refused by the index (it checks the token it commits under). Redis keeps
 * the lease with an expiry (PX) and changes it only in Lua scripts that check
 * the holder; memory does the same for a single instance.
 */

/** The lease store the index checks commits against. */
export interface FencingLeaseStore extends LeaseStore {
  /** Whether `lease` is still held (not expired, not granted again). */
  holds(lease: Lease): Promise<boolean>;
}

export const leaseKey = (tenantId: string, name: string) => `${tenantKeyPrefix(tenantId)}lease:${name}`;
const fenceKey = (tenantId: string) => `${tenantKeyPrefix(tenantId)}fence`;
/** What a held lease's key holds: its token and holder. */
export const leaseValue = (lease: Lease) => `${lease.fence}:${lease.owner}`;

export function createMemoryLeaseStore(options: { owner: string; now?: () => number }): FencingLeaseStore {
  const { owner } = options;
  const now = options.now ?? Date.now;
  const held = new Map<string, { value: string; expiresAt: number }>();
  const fences = new Map<string, number>();
  const key = (tenantId: string, name: string) => `${tenantId}\u0000${name}`;
  const current = (lease: Lease) => {
    const entry = held.get(key(lease.tenantId, lease.name));
    return entry && entry.expiresAt > now() && entry.value === leaseValue(lease) ? entry : null;
  };
  return {
    async acquire(tenantId, name, ttlMs) {
      const entry = held.get(key(tenantId, name));
      if (entry && entry.expiresAt > now()) return null;
      const fence = (fences.get(tenantId) ?? 0) + 1;
      fences.set(tenantId, fence);
      const lease: Lease = { tenantId, name, owner, fence };
      held.set(key(tenantId, name), { value: leaseValue(lease), expiresAt: now() + ttlMs });
      return lease;
    },
    async renew(lease, ttlMs) {
      const entry = current(lease);
      if (entry) entry.expiresAt = now() + ttlMs;
      return entry !== null;
    },
    async release(lease) {
      if (current(lease)) held.delete(key(lease.tenantId, lease.name));
    },
    async holds(lease) {
      return current(lease) !== null;
    },
    async close() {},
  };
}

const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], fence .. ':' .. ARGV[1], 'PX', ARGV[2])
return fence`;
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

/** Leases in Redis (single node or Cluster): expiry is Redis' clock, so it holds across instances. */
export function createRedisLeaseStore(options: RedisClientOptions & { owner: string }): FencingLeaseStore & {
  ready(): Promise<void>;
} {
  const { client, ready } = createRedisClient(options);
  const { owner } = options;
  const script = (lua: string, keys: string[], ...args: (string | number)[]) =>
    client.eval(lua, keys.length, ...keys, ...args);
  return {
    ready: () => ready,
    async acquire(tenantId, name, ttlMs) {
      const fence = await script(ACQUIRE, [leaseKey(tenantId, name), fenceKey(tenantId)], owner, Math.ceil(ttlMs));
      return fence === null ? null : { tenantId, name, owner, fence: Number(fence) };
    },
    async renew(lease, ttlMs) {
      return (await script(RENEW, [leaseKey(lease.tenantId, lease.name)], leaseValue(lease), Math.ceil(ttlMs))) === 1;
    },
    async release(lease) {
      await script(RELEASE, [leaseKey(lease.tenantId, lease.name)], leaseValue(lease));
    },
    async holds(lease) {
      return (await client.get(leaseKey(lease.tenantId, lease.name))) === leaseValue(lease);
    },
    async close() {
      client.disconnect();
    },
  };
}
