import { type ConnectionModel, type ConnectionStatus, NO_ACTIONS, type ProviderModel } from '../../domain/models.js';
import { connectionGlobalId } from '../../domain/global-id.js';
import type { PmIntegrationProvider } from './wire.js';

/**
 * ProjectManager → domain. Providers are keyed by their UUID, because that is
 * what the disconnect route takes. A provider is a connection of the workspace
 * when it is `activated`: ACTIVE once one of its integrations is
 * `authenticated` (the user has authenticated), PENDING while none is yet.
 * A provider that is not activated is no connection at all.
 */

export const toProviderModel = (p: PmIntegrationProvider, organizationId: string): ProviderModel => ({
  vendor: 'PROJECTMANAGER',
  slug: p.id,
  displayName: p.name ?? p.shortId ?? p.id,
  description: p.summary ?? p.description ?? null,
  category: p.categoryShortIds?.[0] ?? null,
  scopeOrganizationId: organizationId,
});

export const isConnection = (p: PmIntegrationProvider) => p.activated;

const isAuthenticated = (p: PmIntegrationProvider) => (p.integrations ?? []).some((i) => i.authenticated);

export function toConnectionModel(p: PmIntegrationProvider, organizationId: string): ConnectionModel {
  const authenticated = isAuthenticated(p);
  const instances = (p.integrations ?? []).flatMap((i) => i.instances ?? []);
  const created = instances.map((i) => i.createDate).filter((d): d is string => typeof d === 'string');
  const modified = instances.map((i) => i.modifyDate).filter((d): d is string => typeof d === 'string');
  return {
    id: connectionGlobalId('PROJECTMANAGER', organizationId, p.id),
    vendor: 'PROJECTMANAGER',
    organizationId,
    key: p.id,
    externalId: p.id,
    provider: toProviderModel(p, organizationId),
    status: (authenticated ? 'ACTIVE' : 'PENDING') satisfies ConnectionStatus,
    // ProjectManager has two flags, not a status; this is their unmapped reading.
    vendorStatus: authenticated ? 'activated, authenticated' : 'activated, not authenticated',
    health: null,
    accountIdentifier: null,
    sharedTeamKeys: null,
    actions: NO_ACTIONS,
    reauthorizeUrl: null,
    createdAt: created.sort()[0] ?? null,
    updatedAt: modified.sort().at(-1) ?? null,
  };
}
