import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import { randomToken } from '../observability/random-ids.js';
import { isNearCacheable } from './keys.js';

/**
 * An in-process copy of the Redis values an instance reads on every request
 * (generations, whole answers, reads), so a hit costs no Redis round trip.
 * It stays exact across instances because every change of such a key through
 * Junction is announced on a channel in the same MULTI as the change
 * (redis-cache.ts), and each instance drops what an announcement names as
 * soon as it reads it. A change completes only once the writer's own
 * subscription has heard its announcement: Redis writes a message to every
 * subscriber in the same pass, so by then it waits in every instance's socket,
 * ahead of any request that could follow the change.
 *
 * A value is kept only while this instance's subscription has been up since it
 * was fetched, and not when an announcement of its key came while it was in
 * flight. The instance that wrote a value keeps it from the moment it hears its
 * own announcement: any later change of the key is announced after that one.
 * When the subscription drops (Redis down, restarted empty, failed
 * over) everything is forgotten and nothing is kept until it is back. Values
 * live no longer than in Redis (their PTTL), and never longer than
 * MAX_AGE_MS: the bound on a subscription that went silent without closing.
 */

/** The channel of announced changes; a message is JSON: who announced it, and the keys or `*` (everything). */
export const NEAR_CHANNEL = 'junction:near:v1';
const EVERYTHING = '*';
interface Announcement {
  readonly from: string;
  readonly keys: readonly string[] | typeof EVERYTHING;
}

const MAX_AGE_MS = 10_000;
/** How many recent announcements a fetch in flight is checked against; a fetch that saw more keeps nothing. */
const RECENT_ANNOUNCEMENTS = 1024;
/** What an absent key is kept as (a miss that is known to be one). */
const ABSENT = Symbol('absent');

/** Where a fetch started: what was announced since tells whether its answer may be kept. */
export interface NearTicket {
  readonly epoch: number;
  readonly seq: number;
}

export interface NearCache {
  /** Whether values are kept at all (the subscription is up). */
  readonly live: boolean;
  /** The value kept for the key: `{ value }` (`undefined`: known absent), or undefined when not kept. */
  get(key: string): { readonly value: string | undefined } | undefined;
  ticket(): NearTicket;
  /** Keeps what a fetch that started at `ticket` found, if nothing about the key was announced since; `ttlMs` as Redis said (PTTL). */
  keep(ticket: NearTicket, key: string, value: string | undefined, ttlMs: number): void;
  /**
   * The message announcing a change of `keys` (`*`: everything), to publish with it; `heard` resolves once
   * this instance's subscription has read it back, with the ticket of that moment: the writer may keep what
   * it wrote from it, as a fetch keeps what it found (undefined when it was not heard: nothing to keep).
   * The keys are forgotten now. `unsent` drops the wait when the change failed and nothing was published.
   */
  announce(keys: readonly string[] | '*'): {
    readonly message: string;
    readonly heard: Promise<NearTicket | undefined>;
    unsent(): void;
  };
  close(): void;
}

export function createNearCache(options: { subscriber: Redis; maxBytes: number }): NearCache {
  const { subscriber } = options;
  const values = new LRUCache<string, string | typeof ABSENT>({
    maxSize: options.maxBytes,
    // Two bytes a character, plus the key and the entry's own bookkeeping.
    sizeCalculation: (value, key) => 2 * (key.length + (value === ABSENT ? 0 : value.length)) + 64,
  });
  let live = false;
  let epoch = 0;
  let seq = 0;
  const recent: string[] = new Array<string>(RECENT_ANNOUNCEMENTS);
  const self = randomToken(9);
  let sent = 0;
  /** This instance's announcements not yet heard back, by id. */
  const unheard = new Map<string, (ticket: NearTicket | undefined) => void>();

  const forgetEverything = () => {
    epoch += 1;
    values.clear();
  };
  const reset = () => {
    live = false;
    forgetEverything();
    // Nothing will be heard on this connection: a change waiting for its echo completes as it would without one.
    for (const heard of unheard.values()) heard(undefined);
    unheard.clear();
  };
  const announced = (message: string) => {
    let parsed: Partial<Announcement> | undefined;
    try {
      parsed = JSON.parse(message) as Partial<Announcement>;
    } catch {
      parsed = undefined;
    }
    const keys = parsed?.keys;
    // Everything, or a message that is not ours to read: forget everything rather than guess.
    if (!Array.isArray(keys)) forgetEverything();
    else forget(keys);
    const heard = typeof parsed?.from === 'string' ? unheard.get(parsed.from) : undefined;
    if (heard) {
      unheard.delete(parsed!.from!);
      // Taken now: every later change of the key is announced after this message, and refuses the keep.
      const ticket = { epoch, seq };
      // After this pass over the sockets: the instances of this process read the same message in it too.
      setImmediate(() => heard(ticket));
    }
  };
  const forget = (keys: readonly unknown[]) => {
    for (const key of keys) {
      if (typeof key !== 'string') continue;
      values.delete(key);
      recent[seq % RECENT_ANNOUNCEMENTS] = key;
      seq += 1;
    }
  };

  subscriber.on('message', (channel: string, message: string) => {
    if (channel === NEAR_CHANNEL) announced(message);
  });
  subscriber.on('close', reset);
  subscriber.on('end', reset);
  // Subscribed by hand on each connection (autoResubscribe is off): values are kept only once it is confirmed.
  subscriber.on('ready', () => {
    const at = epoch;
    subscriber.subscribe(NEAR_CHANNEL).then(
      () => {
        if (epoch === at && subscriber.status === 'ready') live = true;
      },
      () => undefined,
    );
  });

  return {
    get live() {
      return live;
    },
    get(key) {
      if (!live) return undefined;
      const kept = values.get(key);
      if (kept === undefined) return undefined;
      return { value: kept === ABSENT ? undefined : kept };
    },
    ticket: () => ({ epoch, seq }),
    announce(keys) {
      if (keys === EVERYTHING) forgetEverything();
      else forget(keys);
      const from = `${self}:${(sent += 1)}`;
      const message = JSON.stringify({ from, keys } satisfies Announcement);
      const unsent = () => void unheard.delete(from);
      if (!live) return { message, heard: Promise.resolve(undefined), unsent };
      return { message, heard: new Promise((resolve) => unheard.set(from, resolve)), unsent };
    },
    keep(ticket, key, value, ttlMs) {
      if (!live || ticket.epoch !== epoch) return;
      if (seq - ticket.seq > RECENT_ANNOUNCEMENTS) return;
      for (let i = ticket.seq; i < seq; i++) if (recent[i % RECENT_ANNOUNCEMENTS] === key) return;
      // PTTL: -2 absent, -1 no expiry (never set so by Junction).
      const ttl = value === undefined ? MAX_AGE_MS : ttlMs > 0 ? Math.min(ttlMs, MAX_AGE_MS) : 0;
      if (ttl <= 0) return;
      values.set(key, value ?? ABSENT, { ttl });
    },
    close() {
      reset();
      subscriber.disconnect();
    },
  };
}

/**
 * Changes of a single node, each announced in the same MULTI as itself, so no
 * instance can see the change without the announcement being on its way; each
 * completes once the announcement is heard back. Keys no instance keeps near
 * (idempotency records, probes) are written plainly.
 */
function announcement(near: NearCache | undefined, keys: readonly string[] | '*') {
  return (
    near?.announce(keys) ?? {
      message: JSON.stringify({ from: '', keys }),
      heard: Promise.resolve(undefined),
      unsent: () => undefined,
    }
  );
}

/** Runs the MULTI (or plain pipeline); throws the first command's error; the replies otherwise. */
async function run(batch: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await batch.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0]!;
  return results.map(([, reply]) => reply);
}

/** Runs an announced change; when it fails (Redis full aborts the MULTI, publish and all) its echo is not awaited. */
async function runAnnounced(
  batch: ReturnType<Redis['multi']>,
  { message, heard, unsent }: ReturnType<typeof announcement>,
): Promise<{ replies: unknown[]; ticket: NearTicket | undefined }> {
  let replies: unknown[];
  try {
    replies = await run(batch.publish(NEAR_CHANNEL, message));
  } catch (error) {
    unsent();
    throw error;
  }
  return { replies, ticket: await heard };
}

export async function setAnnounced(
  client: Redis,
  entries: readonly { key: string; value: string; ttlSeconds: number }[],
  near: NearCache | undefined,
): Promise<void> {
  const keys = entries.map((e) => e.key).filter(isNearCacheable);
  const batch = keys.length > 0 ? client.multi() : client.pipeline();
  for (const { key, value, ttlSeconds } of entries) batch.set(key, value, 'EX', ttlSeconds);
  if (keys.length === 0) return void (await run(batch));
  // Before sending: Redis counts the TTL from later, so the copy kept here expires first.
  const sentAt = Date.now();
  const { ticket } = await runAnnounced(batch, announcement(near, keys));
  // The writer keeps what it wrote: its announcement made every instance forget the key, this one too, and
  // the next lookups of a value just stored would otherwise all go to Redis.
  if (!near || !ticket) return;
  const elapsed = Date.now() - sentAt;
  for (const { key, value, ttlSeconds } of entries)
    if (isNearCacheable(key)) near.keep(ticket, key, value, ttlSeconds * 1000 - elapsed);
}

export async function deleteAnnounced(
  client: Redis,
  keys: readonly string[],
  near: NearCache | undefined,
): Promise<void> {
  const announced = keys.filter(isNearCacheable);
  if (announced.length === 0) return void (await client.del(...keys));
  await runAnnounced(client.multi().del(...keys), announcement(near, announced));
}

/** SET NX EX, announced when it may change a near-kept key; true when this call set it. */
export async function setIfAbsentAnnounced(
  client: Redis,
  { key, value, ttlSeconds }: { key: string; value: string; ttlSeconds: number },
  near: NearCache | undefined,
): Promise<boolean> {
  if (!isNearCacheable(key)) return (await client.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
  const { replies } = await runAnnounced(
    client.multi().set(key, value, 'EX', ttlSeconds, 'NX'),
    announcement(near, [key]),
  );
  return replies[0] === 'OK';
}

/** After an operator's sweep of the keyspace: every instance forgets everything it kept. */
export async function announceEverything(client: Redis, near: NearCache | undefined): Promise<void> {
  const { message, heard, unsent } = announcement(near, EVERYTHING);
  await client.publish(NEAR_CHANNEL, message).catch((error: unknown) => {
    unsent();
    throw error;
  });
  await heard;
}

/** The keys' values when every one is kept near (no round trip, no timer, no promise), else undefined. */
export function allNear(near: NearCache, keys: readonly string[]): (string | undefined)[] | undefined {
  const out = new Array<string | undefined>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const kept = near.get(keys[i]!);
    if (!kept) return undefined;
    out[i] = kept.value;
  }
  return out;
}

/** The keys' values, each from the near cache when kept there, the rest in one round trip (kept for next time). */
export async function getNear(
  client: Redis,
  near: NearCache,
  keys: readonly string[],
): Promise<(string | undefined)[]> {
  const out = new Array<string | undefined>(keys.length);
  const missing: number[] = [];
  keys.forEach((key, i) => {
    // Only near-cacheable keys are ever kept: no need to ask which a key is on the way to a hit.
    const kept = near.get(key);
    if (kept) out[i] = kept.value;
    else missing.push(i);
  });
  if (missing.length === 0) return out;
  const ticket = near.ticket();
  const pipeline = client.pipeline().mget(...missing.map((i) => keys[i]!));
  for (const i of missing) pipeline.pttl(keys[i]!);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0]!;
  const values = results[0]![1] as (string | null)[];
  missing.forEach((i, j) => {
    const key = keys[i]!;
    const value = values[j] ?? undefined;
    out[i] = value;
    if (isNearCacheable(key)) near.keep(ticket, key, value, Number(results[j + 1]![1]));
  });
  return out;
}
