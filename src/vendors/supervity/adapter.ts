import type { Secret } from '../../config/secret.js';
import { GatewayErrorCode, UpstreamError, UserFacingError } from '../../domain/errors.js';
import type { ActionModel, ConnectionModel, ProviderModel } from '../../domain/models.js';
import type { UpstreamFailure } from '../../http/failure-classification.js';
import type { ConnectTransport } from '../../loaders/vendor-transport.js';
import type { AdapterRequestOptions, DisconnectTarget, VendorAdapter } from '../port.js';
import {
  bearer,
  configuredOrganizations,
  endpointPerOrganization,
  isUpstreamFailure,
  perConfiguration,
  ForwardingRequestAdapter,
  type ForwardableSetup,
} from '../adapter-kit.js';
import type { SupervityConfig } from './config.js';
import { CONNECTION_KEY, connectionKeyOf, toActionModel, toConnectionModel, toProviderModel } from './to-model.js';
import { accountIdOf, actionOf, ALL_ACTIONS, checkDisconnect, checkTeamKeys } from './checks.js';
import { SupervityDisconnectResponse, SupervityErrorBody, SupervityMyIntegrations } from './wire.js';

const ME = { path: '/api/v1/integrations/me', route: '/api/v1/integrations/me' };
const disconnectPath = (slug: string, action: string) => ({
  path: `/api/v1/integrations/${encodeURIComponent(slug)}/actions/${encodeURIComponent(action)}`,
  route: '/api/v1/integrations/{integrationSlug}/actions/{actionName}',
});
const sharingPath = (accountId: string) => ({
  path: `/api/v1/integrations/accounts/${encodeURIComponent(accountId)}/sharing`,
  route: '/api/v1/integrations/accounts/{accountId}/sharing',
});

/**
 * Private: Supervity documents no error bodies; Junction assumes its success
 * envelope with `success: false` (README). A 400/409/422 carrying a message is
 * the vendor rejecting what Junction sent, and its message is reported. Auth and
 * 404 keep the transport's default mapping.
 */
function interpretSupervityFailure(failure: UpstreamFailure): UpstreamError | undefined {
  if (![400, 409, 422].includes(failure.status)) return undefined;
  const body = SupervityErrorBody.safeParse(failure.body);
  const message = body.success ? body.data.message : `HTTP ${failure.status}`;
  return new UpstreamError(
    'SUPERVITY',
    GatewayErrorCode.UPSTREAM_REJECTED,
    `Supervity rejected the request: ${message}`,
    {
      status: failure.status,
      ...(body.success && { vendorMessage: message }),
    },
  );
}

/** Private: an organization's endpoint with a token; cached reads are per organization and per whose token it is. */
const endpointsWith = (config: SupervityConfig, token: Secret, credentialScope: string) => {
  const authorization = bearer(token);
  return endpointPerOrganization(config.organizations, (o) => ({
    vendor: 'SUPERVITY',
    baseUrl: config.baseUrl,
    headers: { authorization, 'x-active-org': o.id },
    scope: `supervity:${o.id}:${credentialScope}`,
    interpretFailure: interpretSupervityFailure,
  }));
};

const setupOf = perConfiguration((config: SupervityConfig): ForwardableSetup => ({
  vendor: 'SUPERVITY',
  organizations: configuredOrganizations(config.organizations),
  // The organization travels in x-active-org, so it is part of the scope; a caller's own JWT replaces the
  // configured token, and reads are then cached per user.
  endpointOf: endpointsWith(config, config.token, 'service'),
  forwardedEndpoints: (token) => endpointsWith(config, token, `user:${token.fingerprint()}`),
}));

export const createSupervityAdapter = (
  config: SupervityConfig,
  connect: ConnectTransport,
  options: AdapterRequestOptions = {},
): VendorAdapter => new SupervityAdapter(setupOf(config), connect, options.forwardedCredential);

/** Private: Supervity has no organization endpoint (the organization is an x-active-org value from configuration); it has actions. */
class SupervityAdapter extends ForwardingRequestAdapter<ForwardableSetup> implements VendorAdapter {
  #readMe(organizationId: string) {
    return this.transportOf(organizationId).read({ ...ME, resource: 'connections', schema: SupervityMyIntegrations });
  }

  /** The account behind a connection key, with the /me body it came from. */
  async #findAccount(organizationId: string, key: string) {
    const me = await this.#readMe(organizationId);
    const account = me.integrations.find((a) => connectionKeyOf(a) === key);
    return account ? { me, account } : null;
  }

  /** The first connected account of an integration, checking that a named action is connected. */
  async #previewDisconnect(target: DisconnectTarget): Promise<ConnectionModel | null> {
    const me = await this.#readMe(target.organizationId);
    const account = me.integrations.find((a) => a.integrationSlug === target.provider);
    if (!account) return null;
    const action = actionOf(target);
    if (action !== ALL_ACTIONS) {
      const connected = me.userActions.some((a) => a.group.name === target.provider && a.action.name === action);
      if (!connected)
        throw new UserFacingError('NOT_CONNECTED', `Action ${action} of ${target.provider} is not connected`, [
          'input',
          'action',
        ]);
    }
    return toConnectionModel(me, account, target.organizationId);
  }

  checkConnectionKey(key: string): string | null {
    return CONNECTION_KEY.test(key) ? null : 'a Supervity connection key is "<integration slug>:<account identifier>"';
  }

  async listConnections(organizationId: string): Promise<ConnectionModel[]> {
    const me = await this.#readMe(organizationId);
    return me.integrations.map((account) => toConnectionModel(me, account, organizationId));
  }

  async getConnection(organizationId: string, key: string): Promise<ConnectionModel | null> {
    const found = await this.#findAccount(organizationId, key);
    return found ? toConnectionModel(found.me, found.account, organizationId) : null;
  }

  async listProviders(organizationId: string): Promise<ProviderModel[]> {
    // The integrations the user has connected, plus every group its actions name.
    const me = await this.#readMe(organizationId);
    const slugs = new Set([
      ...me.integrations.map((a) => a.integrationSlug),
      ...me.userActions.map((a) => a.group.name),
    ]);
    return [...slugs].sort().map((slug) => toProviderModel(me, slug, organizationId));
  }

  override async listActions(organizationId: string, providerSlug: string): Promise<ActionModel[]> {
    const me = await this.#readMe(organizationId);
    return me.userActions.filter((a) => a.group.name === providerSlug).map((a) => toActionModel(me, a, organizationId));
  }

  /** Made when a mutation asks for it (a read never does). */
  get disconnectIntegration(): NonNullable<VendorAdapter['disconnectIntegration']> {
    return {
      check: checkDisconnect,
      preview: (target) => this.#previewDisconnect(target),
      plan: (target) => this.#planDisconnect(target),
      execute: (target) => this.#disconnect(target),
    };
  }

  async #planDisconnect(target: DisconnectTarget) {
    const me = await this.#readMe(target.organizationId);
    const action = actionOf(target);
    return {
      // The DELETE names a slug, not an account: each account of the integration is affected.
      connections: me.integrations
        .filter((a) => a.integrationSlug === target.provider)
        .map((a) => toConnectionModel(me, a, target.organizationId)),
      actions: me.userActions
        .filter((a) => a.group.name === target.provider && (action === ALL_ACTIONS || a.action.name === action))
        .map((a) => toActionModel(me, a, target.organizationId)),
    };
  }

  async #disconnect(target: DisconnectTarget) {
    const before = await this.#previewDisconnect(target);
    if (!before)
      throw new UserFacingError('NOT_CONNECTED', `${target.provider} is not connected`, ['input', 'provider']);
    const action = actionOf(target);
    const actionsBefore = (await this.#readMe(target.organizationId)).userActions.filter(
      (a) => a.group.name === target.provider,
    ).length;
    const transport = this.transportOf(target.organizationId);
    let response;
    try {
      response = await transport.write({
        method: 'DELETE',
        ...disconnectPath(target.provider, action),
        schema: SupervityDisconnectResponse,
        // Not repeated after an unknown outcome: a repeat of a disconnect that went through
        // answers 404, which this adapter reports as NOT_CONNECTED, and loses the count.
        idempotent: false,
      });
    } catch (error) {
      // Someone disconnected it between our read and the DELETE.
      if (isUpstreamFailure(error, GatewayErrorCode.NOT_FOUND))
        throw new UserFacingError('NOT_CONNECTED', `${target.provider} is not connected`, ['input', 'provider']);
      throw error;
    }
    const me = await this.#readMe(target.organizationId);
    const after = me.integrations.find((a) => a.integrationSlug === target.provider);
    // "all" reports Supervity's count (the actions listed before, should it omit it); one action is one.
    const disconnectedActionCount = action === ALL_ACTIONS ? (response?.count ?? actionsBefore) : 1;
    return {
      connection: after ? toConnectionModel(me, after, target.organizationId) : null,
      disconnectedActionCount,
    };
  }

  /** Made when a mutation asks for it (a read never does). */
  get updateSharing(): NonNullable<VendorAdapter['updateSharing']> {
    return { check: checkTeamKeys, execute: (connection, teamKeys) => this.#share(connection, teamKeys) };
  }

  async #share(connection: ConnectionModel, teamKeys: readonly string[]) {
    const found = await this.#findAccount(connection.organizationId, connection.key);
    if (!found)
      throw new UserFacingError('NOT_FOUND', 'Supervity no longer lists this connected account', [
        'input',
        'connectionId',
      ]);
    const accountId = accountIdOf(found.account);
    const transport = this.transportOf(connection.organizationId);
    try {
      // The PATCH documents no response body: the new state is read back from /me.
      await transport.write({
        method: 'PATCH',
        ...sharingPath(accountId),
        body: { shareWithTeamKeys: teamKeys },
        schema: null,
        // Idempotent: the body replaces the whole team list and no answer body is read, so a
        // repeat after a lost answer leaves the same sharing and the same (empty) result.
        idempotent: true,
      });
    } catch (error) {
      if (isUpstreamFailure(error, GatewayErrorCode.NOT_FOUND))
        throw new UserFacingError('NOT_FOUND', 'Supervity does not know this connected account', [
          'input',
          'connectionId',
        ]);
      throw error;
    }
    const updated = await this.#findAccount(connection.organizationId, connection.key);
    if (!updated)
      throw new UpstreamError(
        'SUPERVITY',
        GatewayErrorCode.UPSTREAM_BAD_RESPONSE,
        'Supervity accepted the sharing update but no longer lists the account',
      );
    return toConnectionModel(updated.me, updated.account, connection.organizationId);
  }
}
