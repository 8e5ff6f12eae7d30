import {
  type ConnectionHealthModel,
  type ConnectionModel,
  type ConnectionStatus,
  NO_ACTIONS,
  type ProviderModel,
} from '../../domain/models.js';
import { connectionGlobalId } from '../../domain/global-id.js';
import { noteUnknownValue } from '../unknown-values.js';
import { OutlitProviderId, type OutlitIntegration, type OutlitSync } from './wire.js';

/**
 * Outlit → domain. A connection is an integration whose `status` is
 * `connected`; its key (in global IDs) is the provider id, because that is what
 * Outlit's sync-status and disconnect routes take. Status: `connected` is
 * ACTIVE, or ERROR when a sync FAILED; `not_connected` is DISCONNECTED; any
 * other value is UNKNOWN. A provider id or status the contract does not list
 * is kept as Outlit sent it, and reported (unknown-values.ts).
 */

const FAILED = 'FAILED';

/** A provider id the contract lists; Junction sends no other to Outlit. */
export const isKnownProviderId = (id: string): id is OutlitProviderId => OutlitProviderId.safeParse(id).success;

/** An item Outlit lists as not connected; any other status (a new one included) is shown as a connection. */
export const isNotConnected = (i: OutlitIntegration) => i.status === 'not_connected';

export const toProviderModel = (i: OutlitIntegration, organizationId: string): ProviderModel => ({
  vendor: 'OUTLIT',
  slug: isKnownProviderId(i.id) ? i.id : noteUnknownValue('OUTLIT', 'integration id', i.id),
  displayName: i.name,
  description: null,
  category: i.category,
  scopeOrganizationId: organizationId,
});

/** Private: the summary health the list gives (one aggregate sync status and its error). */
function listHealth(i: OutlitIntegration): ConnectionHealthModel | null {
  if (i.syncStatus == null) return null;
  return {
    name: i.syncStatus,
    status: healthStatusOf([i.syncStatus]),
    description: i.errorMessage ?? null,
    resolutionOwner: null,
    details: [],
  };
}

/** Private: HEALTHY when every sync succeeded, UNHEALTHY when one failed, else the syncs are still running. */
function healthStatusOf(statuses: readonly string[]): string {
  if (statuses.includes(FAILED)) return 'UNHEALTHY';
  if (statuses.every((s) => s === 'SUCCESS')) return 'HEALTHY';
  return 'SYNCING';
}

/**
 * Health from GET /api/integrations/sync-status: one entry per synced model.
 * The worst model decides; the description names every model that is not in
 * SUCCESS, with Outlit's error message.
 */
function syncHealth(syncs: readonly OutlitSync[]): ConnectionHealthModel | null {
  if (syncs.length === 0) return null;
  const statuses = syncs.map((s) => s.status);
  const worst = statuses.includes(FAILED) ? FAILED : (statuses.find((s) => s !== 'SUCCESS') ?? 'SUCCESS');
  const notOk = syncs.filter((s) => s.status !== 'SUCCESS');
  return {
    name: worst,
    status: healthStatusOf(statuses),
    description:
      notOk.length === 0
        ? `All ${syncs.length} model syncs succeeded`
        : notOk.map((s) => `${s.model}: ${s.status}${s.errorMessage ? ` (${s.errorMessage})` : ''}`).join('; '),
    resolutionOwner: null,
    details: [],
  };
}

export function toConnectionModel(
  i: OutlitIntegration,
  organizationId: string,
  syncs?: readonly OutlitSync[],
): ConnectionModel {
  const failed = i.syncStatus === FAILED || (syncs ?? []).some((s) => s.status === FAILED);
  const status: ConnectionStatus =
    i.status === 'not_connected'
      ? 'DISCONNECTED'
      : i.status !== 'connected'
        ? (noteUnknownValue('OUTLIT', 'integration status', i.status), 'UNKNOWN')
        : failed
          ? 'ERROR'
          : 'ACTIVE';
  return {
    id: connectionGlobalId('OUTLIT', organizationId, i.id),
    vendor: 'OUTLIT',
    organizationId,
    key: i.id,
    externalId: i.connectionId ?? i.id,
    provider: toProviderModel(i, organizationId),
    status,
    vendorStatus: i.status,
    health: syncs ? syncHealth(syncs) : listHealth(i),
    accountIdentifier: null,
    sharedTeamKeys: null,
    actions: NO_ACTIONS,
    reauthorizeUrl: null,
    // Outlit reports when data last arrived, not when the connection changed.
    createdAt: null,
    updatedAt: null,
  };
}
