import type { ConfigWebhookEndpoint } from '../config/webhook-config.js';
import type { ConnectionEventType } from '../domain/connection-index.js';
import type { StoredWebhookEndpoint, WebhookStore } from '../domain/webhook-deliveries.js';
import type { Logger } from '../observability/logger.js';
import type { TargetPolicy } from './target-policy.js';

/**
 * A tenant's endpoints: those of its config (checked against the SSRF rules
 * at start; a refused one is logged and left out) and those created through
 * the API (in the store, shared by every instance).
 */

export interface EndpointDirectory {
  all(tenantId: string): Promise<StoredWebhookEndpoint[]>;
  /** The tenant's config endpoints, checked (read only: they change with the config). */
  fromConfig(tenantId: string): readonly StoredWebhookEndpoint[];
}

/** `connection.status_changed` → STATUS_CHANGED. */
export const eventTypeOf = (wireName: string) =>
  wireName.slice('connection.'.length).toUpperCase() as ConnectionEventType;

export async function createEndpointDirectory(options: {
  readonly tenants: readonly { readonly id: string; readonly webhookEndpoints: readonly ConfigWebhookEndpoint[] }[];
  readonly store: WebhookStore;
  readonly policy: TargetPolicy;
  readonly logger: Logger;
  readonly startedAt: string;
}): Promise<EndpointDirectory> {
  const configured = new Map<string, StoredWebhookEndpoint[]>();
  for (const tenant of options.tenants) {
    const accepted: StoredWebhookEndpoint[] = [];
    for (const endpoint of tenant.webhookEndpoints) {
      try {
        await options.policy.check(endpoint.url);
      } catch (error) {
        // A name that does not resolve yet may later: each delivery checks again.
        const reason = (error as { reason?: string }).reason;
        if (reason === 'UNRESOLVABLE')
          options.logger.warn({ tenant: tenant.id, endpointId: endpoint.id }, 'webhook endpoint host does not resolve');
        else {
          options.logger.error(
            { tenant: tenant.id, endpointId: endpoint.id, reason },
            'webhook endpoint of the config refused by the SSRF rules; it receives nothing',
          );
          continue;
        }
      }
      accepted.push({
        id: endpoint.id,
        url: endpoint.url,
        eventTypes: endpoint.eventTypes.map(eventTypeOf),
        description: endpoint.description ?? null,
        createdAt: options.startedAt,
        secret: endpoint.secret.reveal(),
        source: 'CONFIG',
        startsAfter: null,
      });
    }
    configured.set(tenant.id, accepted);
  }
  return {
    fromConfig: (tenantId) => configured.get(tenantId) ?? [],
    async all(tenantId) {
      return [...(configured.get(tenantId) ?? []), ...(await options.store.listEndpoints(tenantId))];
    },
  };
}
