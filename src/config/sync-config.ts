import { z } from 'zod';
import { intFrom } from './numbers.js';

/**
 * The connection index's background sync (src/sync/) and its event log. Off
 * by default (the `npm start` demo turns it on); with it off, the index fills
 * only as reads and mutations reach it.
 */

const SYNC_DEFAULTS = {
  enabled: false,
  intervalSeconds: 60,
  jitter: 0.1,
  leaseSeconds: 30,
  concurrency: 8,
  commandTimeoutMs: 2000,
  events: { maxEntries: 10_000, maxAgeSeconds: 604_800 },
} as const;

const seconds = () => z.coerce.number().positive();

export const syncSchema = z
  .object({
    enabled: z.boolean().default(SYNC_DEFAULTS.enabled),
    /** How often each tenant × vendor × organization is listed at its vendor (the index's freshness). */
    intervalSeconds: seconds().default(SYNC_DEFAULTS.intervalSeconds),
    /** Each unit's next sync is moved by up to ± this fraction of the interval, so units spread out. */
    jitter: z.coerce.number().min(0).max(0.5).default(SYNC_DEFAULTS.jitter),
    /**
     * How long one instance holds a unit while syncing it; an instance that dies loses its units after this.
     * Default: 30, or half the interval when that is shorter.
     */
    leaseSeconds: seconds().optional(),
    /** Units one instance syncs at once (each through the tenant's bulkhead as well). */
    concurrency: intFrom(1).default(SYNC_DEFAULTS.concurrency),
    /** Longest an index or lease command may take on Redis. */
    commandTimeoutMs: intFrom(1).default(SYNC_DEFAULTS.commandTimeoutMs),
    /** The change-event log per tenant (a Redis Stream, or bounded memory). */
    events: z
      .object({
        /** Events kept per tenant (XADD MAXLEN ~). */
        maxEntries: intFrom(1).default(SYNC_DEFAULTS.events.maxEntries),
        /** Seconds an event is kept (XTRIM MINID ~), 7 days; 0: until maxEntries pushes it out. */
        maxAgeSeconds: intFrom(0).default(SYNC_DEFAULTS.events.maxAgeSeconds),
      })
      .strict()
      .default(SYNC_DEFAULTS.events),
  })
  .strict()
  .transform((sync) => ({
    ...sync,
    leaseSeconds: sync.leaseSeconds ?? Math.min(SYNC_DEFAULTS.leaseSeconds, sync.intervalSeconds / 2),
  }))
  .refine((sync) => sync.leaseSeconds < sync.intervalSeconds, {
    message: "must be shorter than intervalSeconds (a dead instance's units are taken over within one interval)",
    path: ['leaseSeconds'],
  })
  .default(SYNC_DEFAULTS);

export type SyncConfig = z.output<typeof syncSchema>;
