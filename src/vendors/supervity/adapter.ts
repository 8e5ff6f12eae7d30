import { GatewayErrorCode, UpstreamError, UserFacingError } from '../../domain/errors.js';
import type { ConnectionModel } from '../../domain/models.js';
import type { UpstreamFailure } from '../../http/failure-classification.js';
import type { ConnectTransport } from '../../loaders/vendor-transport.js';
import type { AdapterRequestOptions, DisconnectTarget, VendorAdapter } from '../port.js';
import { adapterBasics, bearer, isUpstreamFailure, transportPerOrganization } from '../adapter-kit.js';
import type { SupervityConfig } from './config.js';
import { CONNECTION_KEY, connectionKeyOf, toActionModel, toConnectionModel, toProviderModel } from './to-model.js';
import {
  INTEGRATION_SLUG,
  SupervityDisconnectResponse,
  SupervityErrorBody,
  SupervityMyIntegrations,
  type SupervityConnectedAccount,
} from './wire.js';

const ME = { path: '/api/v1/integrations/me', route: '/api/v1/integrations/me' };
const disconnectPath = (slug: string, action: string) => ({
  path: `/api/v1/integrations/${encodeURIComponent(slug)}/actions/${encodeURIComponent(action)}`,
  route: '/api/v1/integrations/{integrationSlug}/actions/{actionName}',
});
const sharingPath = (accountId: string) => ({
  path: `/api/v1/integrations/accounts/${encodeURIComponent(accountId)}/sharing`,
  route: '/api/v1/integrations/accounts/{accountId}/sharing',
});

/** The action name Supervity reads as "every action of the integration". */
const ALL_ACTIONS = 'all';
const ACTION_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const TEAM_KEY = /^\S{1,128}$/;

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

export function createSupervityAdapter(
  config: SupervityConfig,
  connect: ConnectTransport,
  options: AdapterRequestOptions = {},
): VendorAdapter {
  // A caller's own JWT replaces the configured one; reads are then cached per user.
  const token = options.forwardedCredential ?? config.token;
  const credentialScope = options.forwardedCredential ? `user:${options.forwardedCredential.fingerprint()}` : 'service';
  const authorization = bearer(token);

  // One transport per organization: the organization travels in x-active-org, so it is part of the scope.
  const transportOf = transportPerOrganization(connect, config.organizations, (o) => ({
    vendor: 'SUPERVITY',
    baseUrl: config.baseUrl,
    headers: { authorization, 'x-active-org': o.id },
    scope: `supervity:${o.id}:${credentialScope}`,
    interpretFailure: interpretSupervityFailure,
  }));

  const readMe = (organizationId: string) =>
    transportOf(organizationId).read({ ...ME, resource: 'connections', schema: SupervityMyIntegrations });

  const listConnections = async (organizationId: string) => {
    const me = await readMe(organizationId);
    return me.integrations.map((account) => toConnectionModel(me, account, organizationId));
  };

  /** Private: the account behind a connection key, with the /me body it came from. */
  const findAccount = async (organizationId: string, key: string) => {
    const me = await readMe(organizationId);
    const account = me.integrations.find((a) => connectionKeyOf(a) === key);
    return account ? { me, account } : null;
  };

  /** Private: the first connected account of an integration, checking that a named action is connected. */
  const previewDisconnect = async (target: DisconnectTarget): Promise<ConnectionModel | null> => {
    const me = await readMe(target.organizationId);
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
  };

  return {
    // Supervity has no organization endpoint: the organization is an x-active-org value from configuration.
    // It has actions: its listActions below replaces the basics' empty one.
    ...adapterBasics('SUPERVITY', config.organizations),
    checkConnectionKey: (key) =>
      CONNECTION_KEY.test(key) ? null : 'a Supervity connection key is "<integration slug>:<account identifier>"',

    listConnections,

    async getConnection(organizationId, key) {
      const found = await findAccount(organizationId, key);
      return found ? toConnectionModel(found.me, found.account, organizationId) : null;
    },

    async listProviders(organizationId) {
      // The integrations the user has connected, plus every group its actions name.
      const me = await readMe(organizationId);
      const slugs = new Set([
        ...me.integrations.map((a) => a.integrationSlug),
        ...me.userActions.map((a) => a.group.name),
      ]);
      return [...slugs].sort().map((slug) => toProviderModel(me, slug, organizationId));
    },

    async listActions(organizationId, providerSlug) {
      const me = await readMe(organizationId);
      return me.userActions
        .filter((a) => a.group.name === providerSlug)
        .map((a) => toActionModel(me, a, organizationId));
    },

    disconnectIntegration: {
      check(target) {
        const problems: UserFacingError[] = [];
        if (!INTEGRATION_SLUG.test(target.provider))
          problems.push(
            new UserFacingError(
              'INVALID_INPUT',
              'A Supervity integration slug matches ^[a-z0-9_-]+$ (for example google-workspace)',
              ['input', 'provider'],
            ),
          );
        if (target.action !== undefined && !ACTION_NAME.test(target.action))
          problems.push(
            new UserFacingError('INVALID_INPUT', 'An action name is 1 to 128 letters, digits, "_", "." or "-"', [
              'input',
              'action',
            ]),
          );
        // Without an action the DELETE names the slug: every action, for every account of it in the organization.
        if (problems.length === 0 && target.action === undefined && !target.dryRun)
          if (target.confirmProvider !== target.provider)
            problems.push(
              new UserFacingError(
                'CONFIRMATION_REQUIRED',
                `Without an action this disconnects every action of ${target.provider} for every account of it in the organization: repeat the integration slug in confirmProvider (a dry run lists what would be removed)`,
                ['input', 'confirmProvider'],
              ),
            );
        return problems;
      },
      preview: previewDisconnect,
      async plan(target) {
        const me = await readMe(target.organizationId);
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
      },
      async execute(target) {
        const before = await previewDisconnect(target);
        if (!before)
          throw new UserFacingError('NOT_CONNECTED', `${target.provider} is not connected`, ['input', 'provider']);
        const action = actionOf(target);
        const actionsBefore = (await readMe(target.organizationId)).userActions.filter(
          (a) => a.group.name === target.provider,
        ).length;
        const transport = transportOf(target.organizationId);
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
        const me = await readMe(target.organizationId);
        const after = me.integrations.find((a) => a.integrationSlug === target.provider);
        // "all" reports Supervity's count (the actions listed before, should it omit it); one action is one.
        const disconnectedActionCount = action === ALL_ACTIONS ? (response?.count ?? actionsBefore) : 1;
        return {
          connection: after ? toConnectionModel(me, after, target.organizationId) : null,
          disconnectedActionCount,
        };
      },
    },

    updateSharing: {
      check(teamKeys) {
        const problems: UserFacingError[] = [];
        if (teamKeys.some((k) => !TEAM_KEY.test(k)))
          problems.push(
            new UserFacingError('INVALID_INPUT', 'A team key is 1 to 128 characters without spaces', [
              'input',
              'teamKeys',
            ]),
          );
        if (new Set(teamKeys).size !== teamKeys.length)
          problems.push(new UserFacingError('INVALID_INPUT', 'Team keys must not repeat', ['input', 'teamKeys']));
        return problems;
      },
      async execute(connection, teamKeys) {
        const found = await findAccount(connection.organizationId, connection.key);
        if (!found)
          throw new UserFacingError('NOT_FOUND', 'Supervity no longer lists this connected account', [
            'input',
            'connectionId',
          ]);
        const accountId = accountIdOf(found.account);
        const transport = transportOf(connection.organizationId);
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
        const updated = await findAccount(connection.organizationId, connection.key);
        if (!updated)
          throw new UpstreamError(
            'SUPERVITY',
            GatewayErrorCode.UPSTREAM_BAD_RESPONSE,
            'Supervity accepted the sharing update but no longer lists the account',
          );
        return toConnectionModel(updated.me, updated.account, connection.organizationId);
      },
    },
  };
}

const actionOf = (target: DisconnectTarget) => target.action ?? ALL_ACTIONS;

/** Private: the account UUID the sharing endpoint needs; Supervity's documented /me shape does not promise it. */
function accountIdOf(account: SupervityConnectedAccount): string {
  if (account.id) return account.id;
  throw new UserFacingError(
    'UNSUPPORTED_OPERATION',
    "Supervity did not report this connected account's id, which updating its sharing requires",
    ['input', 'connectionId'],
  );
}
