import { randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET } from '../config/webhook-config.js';
import type { ConnectionIndexStore } from '../domain/connection-index.js';
import { BadUserInputError, NotFoundError } from '../domain/errors.js';
import { webhookPayload } from '../domain/public-event.js';
import {
  deliveryId,
  type DeliveryRecord,
  type StoredWebhookEndpoint,
  type WebhookEndpointModel,
  type WebhookStore,
} from '../domain/webhook-deliveries.js';
import type { WebhookAdmin } from '../domain/webhooks.js';
import { redelivered } from './delivery-state.js';
import type { EndpointDirectory } from './endpoints.js';
import { generateSecret } from './signing.js';
import { TargetRefusedError, type TargetPolicy } from './target-policy.js';

/**
 * The admin operations behind `webhookEndpoints`, `createWebhookEndpoint`,
 * `deleteWebhookEndpoint`, `webhookDeliveries` and `redeliverWebhookEvent`.
 * Input is checked, the target URL against the SSRF rules included, before
 * anything is stored; the secret is in no answer but creation's, and only
 * when Junction generated it.
 */

const MAX_PAGE = 200;
const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION = 500;
const EVENT_ID = /^\d{1,16}-\d{1,16}$/;

const publicEndpoint = ({ secret: _secret, startsAfter: _startsAfter, ...endpoint }: StoredWebhookEndpoint) =>
  endpoint satisfies WebhookEndpointModel;

export function createWebhookAdmin(options: {
  readonly store: WebhookStore;
  readonly index: ConnectionIndexStore;
  readonly endpoints: EndpointDirectory;
  readonly policy: TargetPolicy;
  readonly maxEndpointsPerTenant: number;
  /** Wakes the dispatcher for a tenant (a redelivery is attempted at once). */
  readonly wake: (tenantId: string) => void;
  readonly now?: () => number;
}): WebhookAdmin {
  const { store, policy } = options;
  const now = options.now ?? Date.now;

  const endpointOf = async (tenantId: string, endpointId: string) => {
    const found = (await options.endpoints.all(tenantId)).find((e) => e.id === endpointId);
    if (!found) throw new NotFoundError('WebhookEndpoint', endpointId);
    return found;
  };

  /** Private: one event of the tenant's log by id (the log is read after its predecessor). */
  const eventById = async (tenantId: string, eventId: string) => {
    const [ms, seq] = eventId.split('-').map(Number) as [number, number];
    const before = seq > 0 ? `${ms}-${seq - 1}` : ms > 0 ? `${ms - 1}-${Number.MAX_SAFE_INTEGER}` : null;
    const { events } = await options.index.readEvents(tenantId, { after: before, limit: 1 });
    return events[0]?.id === eventId ? events[0] : null;
  };

  return {
    async listEndpoints(tenantId) {
      return (await options.endpoints.all(tenantId)).map(publicEndpoint);
    },

    async createEndpoint(tenantId, input) {
      if (input.url.length > MAX_URL_LENGTH)
        throw new BadUserInputError(`The URL must be at most ${MAX_URL_LENGTH} characters`, {
          argumentName: 'input.url',
          reason: 'INVALID_URL',
        });
      if (input.eventTypes.length === 0)
        throw new BadUserInputError('List at least one event type', { argumentName: 'input.eventTypes' });
      if ((input.description?.length ?? 0) > MAX_DESCRIPTION)
        throw new BadUserInputError(`The description must be at most ${MAX_DESCRIPTION} characters`, {
          argumentName: 'input.description',
        });
      // Never echoes the value: a mistyped secret is still a secret.
      if (input.secret != null && !WEBHOOK_SECRET.test(input.secret))
        throw new BadUserInputError('The secret must be "whsec_" followed by the base64 of 24 to 64 random bytes', {
          argumentName: 'input.secret',
        });
      try {
        await policy.check(input.url);
      } catch (error) {
        if (!(error instanceof TargetRefusedError)) throw error;
        throw new BadUserInputError(error.message, { argumentName: 'input.url', reason: error.reason });
      }
      const secret = input.secret ?? generateSecret();
      const endpoint: StoredWebhookEndpoint = {
        id: `ep_${randomBytes(12).toString('base64url')}`,
        url: input.url,
        eventTypes: [...new Set(input.eventTypes)],
        description: input.description ?? null,
        createdAt: new Date(now()).toISOString(),
        secret,
        source: 'API',
        // Only what happens from now on: an endpoint is not flooded with the retained past.
        startsAfter: await options.index.lastEventId(tenantId),
      };
      if (!(await store.addEndpoint(tenantId, endpoint, options.maxEndpointsPerTenant)))
        throw new BadUserInputError(`A tenant has at most ${options.maxEndpointsPerTenant} webhook endpoints`, {
          argumentName: 'input',
          reason: 'TOO_MANY_ENDPOINTS',
        });
      return { endpoint: publicEndpoint(endpoint), secret: input.secret == null ? secret : null };
    },

    async deleteEndpoint(tenantId, endpointId) {
      if (options.endpoints.fromConfig(tenantId).some((e) => e.id === endpointId))
        throw new BadUserInputError('This endpoint comes from the configuration: remove it there', {
          argumentName: 'id',
          reason: 'CONFIG_ENDPOINT',
        });
      if (!(await store.deleteEndpoint(tenantId, endpointId))) throw new NotFoundError('WebhookEndpoint', endpointId);
      return { deletedId: endpointId };
    },

    async listDeliveries(tenantId, args) {
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
        throw new BadUserInputError(`Argument "first" must be between 1 and ${MAX_PAGE}`, { argumentName: 'first' });
      const after = args.after ?? null;
      if (after !== null && !/^\d{1,16}$/.test(after))
        throw new BadUserInputError('Argument "after" is not a cursor this list handed out', { argumentName: 'after' });
      return store.listDeliveries(tenantId, { filter: args.filter ?? {}, first, after });
    },

    async redeliver(tenantId, eventId, endpointId) {
      if (!EVENT_ID.test(eventId))
        throw new BadUserInputError('Argument "eventId" is not an event id', { argumentName: 'eventId' });
      const endpoint = await endpointOf(tenantId, endpointId);
      const id = deliveryId(eventId, endpointId);
      let record: DeliveryRecord | null = await store.getDelivery(tenantId, id);
      if (!record) {
        const event = await eventById(tenantId, eventId);
        if (!event) throw new NotFoundError('ConnectionEvent', eventId);
        record = {
          id,
          eventId,
          endpointId: endpoint.id,
          eventType: event.type,
          payload: webhookPayload(event),
          createdAt: new Date(now()).toISOString(),
          state: 'PENDING',
          attempts: [],
          nextAttemptAt: now(),
          windowStartedAt: null,
        };
      }
      const due = redelivered(record, now());
      if (!(await store.redeliver(tenantId, due, now())))
        throw new BadUserInputError('An attempt of this delivery is in flight; ask again once it ended', {
          argumentName: 'eventId',
          reason: 'IN_FLIGHT',
        });
      options.wake(tenantId);
      return due;
    },
  };
}
