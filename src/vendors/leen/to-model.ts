import {
  type ConnectionHealthModel,
  type ConnectionModel,
  type ConnectionStatus,
  NO_ACTIONS,
  type ProviderModel,
} from '../../domain/models.js';
import { boundedMemo } from '../../domain/bounded-memo.js';
import { connectionGlobalId } from '../../domain/global-id.js';
import { noteUnknownValue } from '../unknown-values.js';
import type { LeenConnection } from './wire.js';

const STATUS: Readonly<Record<string, ConnectionStatus>> = {
  PENDING: 'PENDING',
  ACTIVE: 'ACTIVE',
  PAUSED: 'PAUSED',
  DELETED: 'DISCONNECTED',
};

/**
 * Leen names security tools in upper snake case (`TENABLE`, `MS_DEFENDER`); this is their display form.
 * Leen names a few dozen tools: worked out once each (it ran for every connection read), within a bound.
 */
const displayNames = boundedMemo<string, string>(1_000);
const leenVendorDisplayName = (vendor: string) =>
  displayNames(vendor, (name) =>
    name
      .toLowerCase()
      .split('_')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' '),
  );

export const toProviderModel = (vendor: string, scopeOrganizationId: string): ProviderModel => ({
  vendor: 'LEEN',
  slug: vendor,
  displayName: leenVendorDisplayName(vendor),
  description: null,
  category: 'security',
  scopeOrganizationId,
});

/** The details of a health without any: one frozen empty list for them all. */
const NO_DETAILS: ConnectionHealthModel['details'] = Object.freeze([]);

export const toConnectionModel = (c: LeenConnection): ConnectionModel => ({
  id: connectionGlobalId('LEEN', c.organization_id, c.id),
  vendor: 'LEEN',
  organizationId: c.organization_id,
  key: c.id,
  externalId: c.id,
  provider: toProviderModel(c.vendor, c.organization_id),
  status: statusOf(c.state),
  vendorStatus: c.state,
  health: {
    name: c.health.name,
    status: c.health.status,
    description: c.health.description,
    resolutionOwner: c.health.resolution_owner,
    details: c.health.details?.length
      ? c.health.details.map((d) => ({ dataExportType: d.data_export_type ?? null, endpoint: d.endpoint }))
      : NO_DETAILS,
  },
  accountIdentifier: c.identifier ?? null,
  sharedTeamKeys: null,
  actions: NO_ACTIONS,
  reauthorizeUrl: webUrlOrNull(c.oauth2_authorize_url),
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

/** Private: the unified status; a state the contract does not list is kept in vendorStatus and reported. */
function statusOf(state: string): ConnectionStatus {
  const status = Object.hasOwn(STATUS, state) ? STATUS[state] : undefined;
  if (status) return status;
  noteUnknownValue('LEEN', 'connection state', state);
  return 'UNKNOWN';
}

/**
 * Private: the authorize URL when it is an absolute http(s) URL; anything else
 * (a `javascript:` link a frontend would render, garbage) is dropped, not served.
 */
function webUrlOrNull(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 4096 || !URL.canParse(raw)) return null;
  // Written with its scheme in lower case, as Leen does: the scheme is known without building the URL.
  if (raw.startsWith('https://') || raw.startsWith('http://')) return raw;
  const { protocol } = new URL(raw);
  return protocol === 'https:' || protocol === 'http:' ? raw : null;
}
