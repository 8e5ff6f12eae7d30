import type { ConnectionEvent, ConnectionEventType } from './connection-index.js';
import { connectionGlobalId, organizationGlobalId } from './global-id.js';
import type { ConnectionHealthModel, ConnectionModel, ConnectionStatus, Vendor } from './models.js';

/**
 * The public JSON of a connection event: a webhook payload's `data`, and what
 * the GraphQL `ConnectionEvent` mirrors. Global IDs instead of native keys;
 * nothing internal (a provider's scope organization, the tenant, the request
 * id of the mutation that caused it) leaves the gateway.
 */

export interface PublicConnection {
  readonly id: string;
  readonly vendor: Vendor;
  readonly externalId: string;
  readonly organizationId: string;
  readonly provider: { readonly slug: string; readonly displayName: string };
  readonly status: ConnectionStatus;
  readonly vendorStatus: string;
  readonly health: ConnectionHealthModel | null;
  readonly accountIdentifier: string | null;
  readonly sharedTeamKeys: readonly string[] | null;
  readonly reauthorizeUrl: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface PublicEvent {
  readonly id: string;
  readonly type: ConnectionEventType;
  readonly changes: readonly ConnectionEventType[];
  readonly time: string;
  readonly vendor: Vendor;
  readonly organizationId: string;
  readonly connectionId: string;
  readonly source: 'SYNC' | 'MUTATION';
  readonly operation: string | null;
  readonly actor: string | null;
  readonly before: PublicConnection | null;
  readonly after: PublicConnection | null;
}

/** A webhook's `type`, per event type: `connection.<type in snake case>`. */
export type WebhookEventType = `connection.${Lowercase<ConnectionEventType>}`;

export const WEBHOOK_EVENT_TYPES: Readonly<Record<ConnectionEventType, WebhookEventType>> = {
  CREATED: 'connection.created',
  REMOVED: 'connection.removed',
  STATUS_CHANGED: 'connection.status_changed',
  SHARING_CHANGED: 'connection.sharing_changed',
  HEALTH_CHANGED: 'connection.health_changed',
  UPDATED: 'connection.updated',
};

export { connectionGlobalId };

export function toPublicConnection(connection: ConnectionModel): PublicConnection {
  const health = connection.health;
  return {
    id: connectionGlobalId(connection.vendor, connection.organizationId, connection.key),
    vendor: connection.vendor,
    externalId: connection.externalId,
    organizationId: organizationGlobalId(connection.vendor, connection.organizationId),
    provider: { slug: connection.provider.slug, displayName: connection.provider.displayName },
    status: connection.status,
    vendorStatus: connection.vendorStatus,
    health: health && {
      name: health.name,
      status: health.status,
      description: health.description,
      resolutionOwner: health.resolutionOwner,
      details: health.details.map((d) => ({ dataExportType: d.dataExportType, endpoint: d.endpoint })),
    },
    accountIdentifier: connection.accountIdentifier,
    sharedTeamKeys: connection.sharedTeamKeys && [...connection.sharedTeamKeys],
    reauthorizeUrl: connection.reauthorizeUrl,
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
  };
}

/** Every field listed by hand: a field added to the internal event stays internal until it is added here. */
export function toPublicEvent(event: ConnectionEvent): PublicEvent {
  const mutation = event.source.kind === 'MUTATION' ? event.source : null;
  return {
    id: event.id,
    type: event.type,
    changes: [...event.changes],
    time: event.time,
    vendor: event.vendor,
    organizationId: organizationGlobalId(event.vendor, event.organizationId),
    connectionId: connectionGlobalId(event.vendor, event.organizationId, event.connectionKey),
    source: event.source.kind,
    operation: mutation?.operation ?? null,
    actor: mutation?.actor ?? null,
    before: event.before && toPublicConnection(event.before),
    after: event.after && toPublicConnection(event.after),
  };
}

/** A webhook body: Standard Webhooks' recommended envelope (`type`, `timestamp`, `data`). */
export function webhookPayload(event: ConnectionEvent): string {
  return JSON.stringify({ type: WEBHOOK_EVENT_TYPES[event.type], timestamp: event.time, data: toPublicEvent(event) });
}
