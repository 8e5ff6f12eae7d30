import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { intFrom } from './numbers.js';
import { secretSchema } from './secret.js';

/**
 * Webhooks (src/webhooks/): where change events may be delivered, how
 * deliveries are timed, retried and cut short, and the endpoints a tenant's
 * config registers (admins add more through `createWebhookEndpoint`).
 */

/** The wire names of event types (Standard Webhooks' `type`), as config and payloads spell them. */
export const WEBHOOK_TYPE_NAMES = [
  'connection.created',
  'connection.removed',
  'connection.status_changed',
  'connection.sharing_changed',
  'connection.health_changed',
  'connection.updated',
] as const;

/** A CIDR block (`10.0.0.0/8`, `fd00::/8`) or one address. */
const cidr = z.string().refine((value) => {
  try {
    if (value.includes('/')) ipaddr.parseCIDR(value);
    else ipaddr.parse(value);
    return true;
  } catch {
    return false;
  }
}, 'must be an IPv4 or IPv6 address or CIDR block');

/** Standard Webhooks' secret form: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

const WEBHOOK_DEFAULTS = {
  enabled: false,
  allowHttp: false,
  allowPrivateTargets: false,
  allowedTargetCidrs: [],
  timeoutMs: 10_000,
  maxResponseBytes: 16_384,
  pollIntervalMs: 1000,
  batchSize: 100,
  concurrency: 8,
  maxEndpointsPerTenant: 20,
  deliveryRetentionSeconds: 7 * 86_400,
  maxDeliveriesPerTenant: 10_000,
  retry: { initialDelayMs: 5_000, maxDelayMs: 3_600_000, maxAgeMs: 86_400_000 },
} as const;

export const webhooksSchema = z
  .object({
    /**
     * Deliver webhooks (and serve the admin fields). Off by default like the sync (a background job
     * polling the store); on in the `npm start` demo. Off, events are still logged and subscriptions served.
     */
    enabled: z.boolean().default(WEBHOOK_DEFAULTS.enabled),
    /** Accept `http://` targets (the sandbox demo, tests); https only otherwise. */
    allowHttp: z.boolean().default(WEBHOOK_DEFAULTS.allowHttp),
    /** Accept targets resolving to private, loopback, link-local, CGNAT or unique-local addresses (never cloud metadata). */
    allowPrivateTargets: z.boolean().default(WEBHOOK_DEFAULTS.allowPrivateTargets),
    /** Blocks of addresses accepted as targets whatever their range (a receiver inside the network, 127.0.0.1/32 for tests). */
    allowedTargetCidrs: z.array(cidr).default([]),
    /** One attempt's whole time (connect, send, answer); a receiver slower than this fails the attempt. */
    timeoutMs: intFrom(100).default(WEBHOOK_DEFAULTS.timeoutMs),
    /** Bytes of a receiver's answer read (kept for nothing but its status); the rest is dropped unread. */
    maxResponseBytes: intFrom(0).default(WEBHOOK_DEFAULTS.maxResponseBytes),
    /** How often the event log is read for new events (a commit on this instance wakes the dispatcher at once). */
    pollIntervalMs: intFrom(10).default(WEBHOOK_DEFAULTS.pollIntervalMs),
    /** Events read from the log per pass. */
    batchSize: intFrom(1).max(1000).default(WEBHOOK_DEFAULTS.batchSize),
    /** Deliveries in flight at once per tenant. */
    concurrency: intFrom(1).max(100).default(WEBHOOK_DEFAULTS.concurrency),
    /** Endpoints one tenant may register through the API (config endpoints not counted). */
    maxEndpointsPerTenant: intFrom(1).default(WEBHOOK_DEFAULTS.maxEndpointsPerTenant),
    /** How long a finished delivery (delivered or dead-lettered) stays listed in `webhookDeliveries`. */
    deliveryRetentionSeconds: intFrom(60).default(WEBHOOK_DEFAULTS.deliveryRetentionSeconds),
    /** Deliveries listed per tenant at most; the oldest finished ones go first. */
    maxDeliveriesPerTenant: intFrom(100).default(WEBHOOK_DEFAULTS.maxDeliveriesPerTenant),
    /** Exponential backoff with full jitter: attempt n waits random(0, min(maxDelayMs, initialDelayMs × 2^(n-1))). */
    retry: z
      .object({
        initialDelayMs: intFrom(1).default(WEBHOOK_DEFAULTS.retry.initialDelayMs),
        maxDelayMs: intFrom(1).default(WEBHOOK_DEFAULTS.retry.maxDelayMs),
        /** No retry is scheduled later than this after the first attempt: the delivery is dead-lettered instead. */
        maxAgeMs: intFrom(1).default(WEBHOOK_DEFAULTS.retry.maxAgeMs),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type WebhooksConfig = z.output<typeof webhooksSchema>;

/** An endpoint a tenant's config registers; its id is what `webhookDeliveries` and `redeliverWebhookEvent` name. */
const configEndpointSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
      url: z.url({ protocol: /^https?$/ }),
      /** Which events it receives (wire names: `connection.status_changed`…). */
      eventTypes: z.array(z.enum(WEBHOOK_TYPE_NAMES)).min(1),
      /** The signing secret, `whsec_…` (Standard Webhooks); `{ "env": "NAME" }` keeps it out of the file. */
      secret: secretSchema(env).refine((s) => WEBHOOK_SECRET.test(s.reveal()), {
        message: 'must be "whsec_" followed by the base64 of 24 to 64 random bytes',
      }),
      description: z.string().max(500).optional(),
    })
    .strict();

/** A tenant's `webhookEndpoints` (its ids unique). */
export const tenantWebhookEndpointsSchema = (env: NodeJS.ProcessEnv) =>
  z
    .array(configEndpointSchema(env))
    .refine((list) => new Set(list.map((e) => e.id)).size === list.length, 'lists an endpoint id twice')
    .default([]);

export type ConfigWebhookEndpoint = z.output<ReturnType<typeof configEndpointSchema>>;
