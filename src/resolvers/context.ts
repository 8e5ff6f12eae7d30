import type { AuditLogArgs, AuditEntryListModel, AuditRecorder } from '../domain/audit.js';
import type { EventFilter, FeedItem } from '../domain/event-subscriber.js';
import type { IdempotencyGuard } from '../domain/idempotency.js';
import type { TenantScope } from '../domain/tenant-scope.js';
import type { TenantWebhookAdmin } from '../domain/webhooks.js';
import type { Logger } from '../observability/logger.js';
import type { RequestState } from '../request/request-state.js';

/** The typed per-request context every resolver receives (codegen's contextType); built by src/server/context.ts. */
export interface GatewayContext {
  readonly request: RequestState;
  /** The authenticated tenant, with this request's vendor adapters (and so its own loaders). */
  readonly tenant: TenantScope;
  readonly logger: Logger;
  /** Idempotent mutations, bound to this tenant and this request's Idempotency-Key header. */
  readonly idempotency: IdempotencyGuard;
  /** This request's audit recorder (src/domain/audit.ts). */
  readonly audit: AuditRecorder;
  /** The tenant's audit log, for callers with the `admin` scope (FORBIDDEN otherwise). */
  readonly auditLog: (args: AuditLogArgs) => Promise<AuditEntryListModel>;
  /** The tenant's webhook endpoints and deliveries, for callers with the `admin` scope (FORBIDDEN otherwise). */
  readonly webhooks: TenantWebhookAdmin;
  /**
   * The tenant's connection events after `after` (Subscription.connectionEvents); only a subscription
   * transport's context has it (src/server/subscriptions.ts), where each event is resolved with fresh loaders.
   */
  readonly connectionEvents?: (after: string | null, filter: EventFilter) => Promise<AsyncIterableIterator<FeedItem>>;
}
