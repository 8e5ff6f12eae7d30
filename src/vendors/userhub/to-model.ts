import {
  type ConnectionModel,
  type ConnectionStatus,
  NO_ACTIONS,
  type OrganizationModel,
  type ProviderModel,
} from '../../domain/models.js';
import { connectionGlobalId } from '../../domain/global-id.js';
import { noteUnknownValue } from '../unknown-values.js';
import type { UserHubAccountConnection, UserHubConnection, UserHubOrganization } from './wire.js';

const STATUS: Readonly<Record<string, ConnectionStatus>> = {
  PENDING_SETUP: 'PENDING',
  ACTIVE: 'ACTIVE',
  BROKEN: 'ERROR',
  DISABLED: 'PAUSED',
  ARCHIVED: 'DISCONNECTED',
};
const ORGANIZATION_STATES: ReadonlySet<string> = new Set(['ACTIVE', 'DISABLED', 'ARCHIVED', 'PENDING_DELETION']);

/** Private: the unified status; a state the contract does not list is kept in vendorStatus and reported. */
function statusOf(state: string): ConnectionStatus {
  const status = Object.hasOwn(STATUS, state) ? STATUS[state] : undefined;
  if (status) return status;
  noteUnknownValue('USERHUB', 'connection state', state);
  return 'UNKNOWN';
}

/** UserHub names connection types in upper case (`STRIPE`, `AUTH0`); this is their display form. */
const typeDisplayName = (type: string) =>
  type
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');

export const toProviderModel = (type: string, scopeOrganizationId: string): ProviderModel => ({
  vendor: 'USERHUB',
  slug: type,
  displayName: typeDisplayName(type),
  description: null,
  category: null,
  scopeOrganizationId,
});

export const toOrganizationModel = (o: UserHubOrganization, configuredName: string | null): OrganizationModel => ({
  vendor: 'USERHUB',
  externalId: o.id,
  displayName: o.displayName ?? configuredName,
  state: ORGANIZATION_STATES.has(o.state) ? o.state : noteUnknownValue('USERHUB', 'organization state', o.state),
  createdAt: o.createTime,
  updatedAt: o.updateTime,
});

/**
 * An account connection links the organization to an external account (a
 * Stripe customer) through one of the tenant's connections (`conn_…`). The key
 * is that tenant connection id, which `:disconnect` takes; status follows the
 * tenant connection's state, and the account's own state is the health.
 */
export const toConnectionModel = (
  account: UserHubAccountConnection & { connection: UserHubConnection },
  organizationId: string,
): ConnectionModel => ({
  id: connectionGlobalId('USERHUB', organizationId, account.connection.id),
  vendor: 'USERHUB',
  organizationId,
  key: account.connection.id,
  externalId: account.connection.id,
  provider: toProviderModel(account.connection.type, organizationId),
  status: statusOf(account.connection.state),
  vendorStatus: account.connection.state,
  health: {
    name: account.state,
    status: account.state,
    description: account.stateReason ?? null,
    resolutionOwner: null,
    details: [],
  },
  accountIdentifier: account.externalId,
  sharedTeamKeys: null,
  actions: NO_ACTIONS,
  reauthorizeUrl: null,
  createdAt: account.createTime,
  updatedAt: account.updateTime,
});

/** Account connections without a tenant connection cannot be disconnected (no id to send) and are not listed. */
export const connectionsOf = (o: UserHubOrganization): ConnectionModel[] =>
  (o.accountConnections ?? []).flatMap((a) =>
    a.connection ? [toConnectionModel({ ...a, connection: a.connection }, o.id)] : [],
  );
