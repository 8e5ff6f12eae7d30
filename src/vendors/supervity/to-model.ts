import type { ActionModel, ConnectionModel, ProviderModel } from '../../domain/models.js';
import { connectionGlobalId } from '../../domain/global-id.js';
import type { SupervityConnectedAccount, SupervityMyIntegrations, SupervityUserAction } from './wire.js';

/**
 * Connection keys. Supervity names a connected account by integration slug and
 * account identifier (its UUID is not in the documented shape), so the key is
 * `<slug>:<accountIdentifier>`: the slug cannot contain ":" (^[a-z0-9_-]+$), so
 * the first ":" always splits it back, whatever the identifier holds.
 */
export const connectionKeyOf = (account: Pick<SupervityConnectedAccount, 'integrationSlug' | 'accountIdentifier'>) =>
  `${account.integrationSlug}:${account.accountIdentifier}`;

export const CONNECTION_KEY = /^[a-z0-9_-]+:.+$/s;

/** The integration's display name, from the first userAction of its group; the slug when it has none. */
const groupOf = (me: SupervityMyIntegrations, slug: string) => me.userActions.find((a) => a.group.name === slug)?.group;

export const toProviderModel = (me: SupervityMyIntegrations, slug: string, organizationId: string): ProviderModel => {
  const group = groupOf(me, slug);
  return {
    vendor: 'SUPERVITY',
    slug,
    displayName: group?.displayName ?? slug,
    description: group?.description || null,
    category: null,
    scopeOrganizationId: organizationId,
  };
};

export const toConnectionModel = (
  me: SupervityMyIntegrations,
  account: SupervityConnectedAccount,
  organizationId: string,
): ConnectionModel => {
  const key = connectionKeyOf(account);
  return {
    id: connectionGlobalId('SUPERVITY', organizationId, key),
    vendor: 'SUPERVITY',
    organizationId,
    key,
    externalId: account.accountIdentifier,
    provider: toProviderModel(me, account.integrationSlug, organizationId),
    // Supervity lists connected accounts only; a listed one is connected.
    status: 'ACTIVE',
    vendorStatus: 'CONNECTED',
    health: null,
    accountIdentifier: account.accountIdentifier,
    sharedTeamKeys: account.sharedTeamKeys,
    // What listActions answers for the account's integration, from the same /me body.
    actions: me.userActions
      .filter((a) => a.group.name === account.integrationSlug)
      .map((a) => toActionModel(me, a, organizationId)),
    reauthorizeUrl: null,
    createdAt: null,
    updatedAt: null,
  };
};

export const toActionModel = (
  me: SupervityMyIntegrations,
  userAction: SupervityUserAction,
  organizationId: string,
): ActionModel => ({
  vendor: 'SUPERVITY',
  name: userAction.action.name,
  displayName: userAction.action.displayName,
  description: userAction.action.description || null,
  documentationUrls: userAction.action.documentation ?? [],
  notes: userAction.action.notes || null,
  provider: toProviderModel(me, userAction.group.name, organizationId),
});
