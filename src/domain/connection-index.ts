import type { ConnectionModel, Vendor } from './models.js';

/**
 * The connection index: per tenant, the normalized connections of every
 * organization at every vendor, kept fresh by a background sync
 * (src/sync/), from which pages are served and changes are detected.
 * These are the domain's ports to it; src/cache/ implements them (memory,
 * Redis, Redis Cluster: every key of a tenant hash-tagged by the tenant).
 */

/** One organization of one tenant at one vendor: what is synced, leased and committed as a whole. */
export interface SyncUnit {
  readonly tenantId: string;
  readonly vendor: Vendor;
  /** The vendor's organization id (the organization part of global IDs). */
  readonly organizationId: string;
}

/** What the index holds for one unit. */
export interface IndexedOrganization {
  readonly vendor: Vendor;
  readonly organizationId: string;
  /**
   * Bumped by every commit. A commit names the version it started from and
   * loses to any commit made since (compare-and-set), so a change is detected,
   * and its event appended, once, however many instances race.
   */
  readonly version: number;
  /** ISO 8601: when the listing these connections came from was read from the vendor. */
  readonly syncedAt: string;
  /** Sorted by `key`: the order pages walk an organization in. */
  readonly connections: readonly ConnectionModel[];
}

/** What changed in a connection; an event's `type` is the most significant change (this order). */
export type ConnectionEventType =
  | 'CREATED'
  | 'REMOVED'
  | 'STATUS_CHANGED'
  | 'SHARING_CHANGED'
  | 'HEALTH_CHANGED'
  /** A Junction mutation that changed none of the above (a Supervity action disconnected). */
  | 'UPDATED';

/** Who made a change: the vendor, seen by a sync, or a Junction mutation. */
export type ConnectionEventSource =
  | { readonly kind: 'SYNC' }
  | {
      readonly kind: 'MUTATION';
      /** The mutation field (`disconnectIntegration`, `deleteConnection`, `updateSharing`). */
      readonly operation: string;
      /** `key:<id>` or `jwt:<sub>`, as in the audit trail; never a credential. */
      readonly actor: string | null;
      readonly requestId: string;
    };

/** An event before the log has given it an id. */
export interface ConnectionEventInput {
  readonly type: ConnectionEventType;
  /** Every aspect that changed (`type` is the first of them); [type] for CREATED and REMOVED. */
  readonly changes: readonly ConnectionEventType[];
  /** ISO 8601, from the gateway's clock. */
  readonly time: string;
  readonly tenantId: string;
  readonly vendor: Vendor;
  readonly organizationId: string;
  /** The connection's routing key (ConnectionModel.key): with vendor and organization, its global ID. */
  readonly connectionKey: string;
  /** null for CREATED. */
  readonly before: ConnectionModel | null;
  /** null for REMOVED. */
  readonly after: ConnectionModel | null;
  readonly source: ConnectionEventSource;
}

/** An event as logged. */
export interface ConnectionEvent extends ConnectionEventInput {
  /**
   * Stable, unique and ordered within the tenant's log (a Redis Stream id, or
   * its in-memory equivalent `<ms>-<seq>`): the cursor subscribers resume from.
   */
  readonly id: string;
}

export interface IndexCommit {
  /** The version the writer read (null: the unit had no entry); a commit since makes this one a conflict. */
  readonly expectedVersion: number | null;
  readonly syncedAt: string;
  /** The unit's whole listing, sorted by key. */
  readonly connections: readonly ConnectionModel[];
  /** Appended to the tenant's event log in the same atomic step as the entry. */
  readonly events: readonly ConnectionEventInput[];
  /** A background sync's lease on the unit: the commit is refused once the lease is no longer held (fencing). */
  readonly lease: Lease | null;
}

export type IndexCommitResult =
  | { readonly status: 'committed'; readonly version: number; readonly events: readonly ConnectionEvent[] }
  /** Another writer committed since `expectedVersion`, or the lease was lost: nothing was written. */
  | { readonly status: 'conflict' };

/** Connections in the index of one tenant, by vendor, status and provider slug: totalCount without a scan. */
export interface IndexCount {
  readonly vendor: Vendor;
  readonly status: ConnectionModel['status'];
  readonly providerSlug: string;
  readonly count: number;
}

export interface ConnectionIndexStore {
  /** The units' entries in the order asked, null for a unit never indexed; one round trip. */
  read(tenantId: string, units: readonly Omit<SyncUnit, 'tenantId'>[]): Promise<(IndexedOrganization | null)[]>;
  /** Replaces one unit's entry and appends its events, atomically, unless another writer got there first. */
  commit(unit: SyncUnit, commit: IndexCommit): Promise<IndexCommitResult>;
  counts(tenantId: string): Promise<readonly IndexCount[]>;
  /**
   * Events after `after` (exclusive; null: from the oldest retained), oldest
   * first, at most `limit`. `trimmed` is true when `after` is older than the
   * retention window: events between it and the first returned are gone.
   */
  readEvents(
    tenantId: string,
    query: { readonly after: string | null; readonly limit: number },
  ): Promise<{ readonly events: readonly ConnectionEvent[]; readonly trimmed: boolean }>;
  /** The id of the tenant's newest event, null when its log is empty (a new subscriber starts after it). */
  lastEventId(tenantId: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A lease on a named piece of background work (a sync unit, a tenant's webhook dispatch). */
export interface Lease {
  readonly tenantId: string;
  readonly name: string;
  /** This instance's id. */
  readonly owner: string;
  /** Increases with every grant of the name: a write fenced by an older token is refused. */
  readonly fence: number;
}

export interface LeaseStore {
  /** The lease on `name` for `ttlMs`, when nobody holds it or the holder's lease expired; null otherwise. */
  acquire(tenantId: string, name: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a held lease; false when it was lost (expired and taken over). */
  renew(lease: Lease, ttlMs: number): Promise<boolean>;
  release(lease: Lease): Promise<void>;
  close(): Promise<void>;
}
