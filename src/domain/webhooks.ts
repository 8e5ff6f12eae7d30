import type { AuditRecorder } from './audit.js';
import type { ConnectionEventType } from './connection-index.js';
import { GatewayError } from './errors.js';
import type { DeliveryFilter, DeliveryPage, DeliveryRecord, WebhookEndpointModel } from './webhook-deliveries.js';

/**
 * The admin operations on a tenant's webhooks (`webhookEndpoints`,
 * `createWebhookEndpoint`…), as the resolvers see them: src/webhooks/admin.ts
 * implements them; each change is recorded in the audit trail (kind ADMIN).
 */

/** `createWebhookEndpoint`'s input. */
export interface CreateWebhookEndpointInput {
  readonly url: string;
  readonly eventTypes: readonly ConnectionEventType[];
  readonly secret?: string | null | undefined;
  readonly description?: string | null | undefined;
}

export interface WebhookDeliveriesArgs {
  readonly filter?: DeliveryFilter | null | undefined;
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
}

/** The admin operations on a tenant's webhooks (src/webhooks/admin.ts); bad input is BAD_USER_INPUT before anything is stored. */
export interface WebhookAdmin {
  listEndpoints(tenantId: string): Promise<WebhookEndpointModel[]>;
  /** `secret` is the generated one, returned this once; null when the input gave one. */
  createEndpoint(
    tenantId: string,
    input: CreateWebhookEndpointInput,
  ): Promise<{ endpoint: WebhookEndpointModel; secret: string | null }>;
  deleteEndpoint(tenantId: string, endpointId: string): Promise<{ deletedId: string }>;
  listDeliveries(tenantId: string, args: WebhookDeliveriesArgs): Promise<DeliveryPage>;
  redeliver(tenantId: string, eventId: string, endpointId: string): Promise<DeliveryRecord>;
}

/** The admin operations of one request: its tenant, each change recorded in the audit trail (kind ADMIN). */
export type TenantWebhookAdmin = {
  readonly [K in keyof WebhookAdmin]: WebhookAdmin[K] extends (tenantId: string, ...rest: infer A) => infer R
    ? (...args: A) => R
    : never;
};

export function tenantWebhookAdmin(admin: WebhookAdmin, tenantId: string, audit: AuditRecorder): TenantWebhookAdmin {
  const audited = async <T>(
    operation: string,
    targetIds: readonly string[],
    run: () => Promise<T>,
    createdId?: (result: T) => string,
  ): Promise<T> => {
    try {
      const result = await run();
      const ids = createdId ? [...targetIds, createdId(result)] : targetIds;
      audit.record({ kind: 'ADMIN', operation, targetIds: ids, outcome: 'APPLIED', code: null });
      return result;
    } catch (error) {
      const code = error instanceof GatewayError ? error.code : 'INTERNAL_SERVER_ERROR';
      audit.record({ kind: 'ADMIN', operation, targetIds, outcome: 'NOT_APPLIED', code });
      throw error;
    }
  };
  return {
    listEndpoints: () => admin.listEndpoints(tenantId),
    listDeliveries: (args) => admin.listDeliveries(tenantId, args),
    createEndpoint: (input) =>
      audited(
        'createWebhookEndpoint',
        [],
        () => admin.createEndpoint(tenantId, input),
        (result) => result.endpoint.id,
      ),
    deleteEndpoint: (endpointId) =>
      audited('deleteWebhookEndpoint', [endpointId], () => admin.deleteEndpoint(tenantId, endpointId)),
    redeliver: (eventId, endpointId) =>
      audited('redeliverWebhookEvent', [eventId, endpointId], () => admin.redeliver(tenantId, eventId, endpointId)),
  };
}
