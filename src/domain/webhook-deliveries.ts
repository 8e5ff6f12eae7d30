import type { ConnectionEventType } from './connection-index.js';

/**
 * Webhooks of connection events (issue 17 item 5): the endpoints a tenant
 * registers, the delivery of each event to each endpoint that wants it, and
 * the store port src/cache/ implements (memory, Redis). A leaf, like the
 * connection index's ports, so the cache layer can implement it.
 */

/** Where an endpoint was registered: the tenant's config, or `createWebhookEndpoint`. */
export type WebhookEndpointSource = 'CONFIG' | 'API';

/** An endpoint as stored: with its secret, which never leaves the gateway after creation. */
export interface StoredWebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly ConnectionEventType[];
  readonly description: string | null;
  /** ISO 8601. */
  readonly createdAt: string;
  /** `whsec_…`: the HMAC key of Standard Webhooks signatures. */
  readonly secret: string;
  readonly source: WebhookEndpointSource;
  /** The stream id of the newest event when it was created: it receives only events after it. */
  readonly startsAfter: string | null;
}

/** An endpoint as the API shows it: everything but the secret. */
export type WebhookEndpointModel = Omit<StoredWebhookEndpoint, 'secret' | 'startsAfter'>;

export type DeliveryState = 'PENDING' | 'RETRYING' | 'DELIVERED' | 'DEAD_LETTERED';

/** Why an attempt failed, when it got no 2xx. */
export type AttemptError =
  /** The receiver answered with a status other than 2xx (3xx included: redirects are not followed). */
  | 'HTTP_STATUS'
  /** No answer within `webhooks.timeoutMs`. */
  | 'TIMEOUT'
  /** Refused, reset, unreachable, or a TLS failure. */
  | 'CONNECTION'
  /** The name did not resolve. */
  | 'DNS'
  /** The target resolved to an address the SSRF rules refuse (src/webhooks/target-policy.ts). */
  | 'TARGET_NOT_ALLOWED';

export interface DeliveryAttempt {
  /** ISO 8601: when it started. */
  readonly time: string;
  readonly durationMs: number;
  /** The receiver's status code, when it answered. */
  readonly statusCode: number | null;
  /** null: delivered (2xx). */
  readonly error: AttemptError | null;
}

/** One event's delivery to one endpoint. */
export interface DeliveryRecord {
  /** `<eventId>:<endpointId>`. */
  readonly id: string;
  readonly eventId: string;
  readonly endpointId: string;
  readonly eventType: ConnectionEventType;
  /** The signed body, kept so that every retry sends the same bytes even once the event left the log. */
  readonly payload: string;
  /** ISO 8601: when the delivery was created. */
  readonly createdAt: string;
  readonly state: DeliveryState;
  readonly attempts: readonly DeliveryAttempt[];
  /** Epoch ms of the next attempt; null once DELIVERED or DEAD_LETTERED. */
  readonly nextAttemptAt: number | null;
  /** Epoch ms of the first attempt since creation or the last redelivery: the retry window runs from it. */
  readonly windowStartedAt: number | null;
}

export const deliveryId = (eventId: string, endpointId: string) => `${eventId}:${endpointId}`;

/** A claimed delivery: `claim` fences the outcome's write (a claim that expired and was taken again writes nothing). */
export interface ClaimedDelivery {
  readonly record: DeliveryRecord;
  readonly claim: number;
}

export interface DeliveryFilter {
  readonly endpointId?: string | null | undefined;
  readonly eventId?: string | null | undefined;
  readonly states?: readonly DeliveryState[] | null | undefined;
}

export interface DeliveryPage {
  /** Newest first. */
  readonly nodes: readonly DeliveryRecord[];
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

/**
 * The store of webhook state, per tenant, shared by every instance (Redis,
 * keys hash-tagged by tenant) or one instance's memory. Every method that
 * decides who does something is atomic: `createDeliveries` creates each
 * record once however many instances race, `claim` hands a due delivery to
 * one instance at a time, `finish` only writes under the claim it was given.
 */
export interface WebhookStore {
  listEndpoints(tenantId: string): Promise<StoredWebhookEndpoint[]>;
  /** false when the tenant already has `max` endpoints. */
  addEndpoint(tenantId: string, endpoint: StoredWebhookEndpoint, max: number): Promise<boolean>;
  /** false when there was none of that id. */
  deleteEndpoint(tenantId: string, endpointId: string): Promise<boolean>;

  /** The id of the last event turned into deliveries; null: none yet. */
  readCursor(tenantId: string): Promise<string | null>;
  /** Moves the cursor from `from` to `to`; false when another instance moved it first. */
  moveCursor(tenantId: string, from: string | null, to: string): Promise<boolean>;

  /** Creates each delivery that does not exist yet (due at once); the others are left alone. */
  createDeliveries(tenantId: string, records: readonly DeliveryRecord[], now: number): Promise<void>;
  /** Ids of deliveries due at `now`, soonest first. */
  dueDeliveries(tenantId: string, now: number, limit: number): Promise<string[]>;
  /** The delivery, for `claimMs`, if it is due and nobody holds an unexpired claim on it; null otherwise. */
  claim(tenantId: string, id: string, now: number, claimMs: number): Promise<ClaimedDelivery | null>;
  /** Records an attempt's outcome under `claim` and releases it; false when the claim was lost. */
  finish(tenantId: string, claimed: ClaimedDelivery, next: DeliveryRecord): Promise<boolean>;
  /** Makes a delivery due at once again (keeping its attempts), or creates it; false when an attempt is in flight. */
  redeliver(tenantId: string, record: DeliveryRecord, now: number): Promise<boolean>;
  getDelivery(tenantId: string, id: string): Promise<DeliveryRecord | null>;
  listDeliveries(
    tenantId: string,
    query: { filter: DeliveryFilter; first: number; after: string | null },
  ): Promise<DeliveryPage>;
  close(): Promise<void>;
}
