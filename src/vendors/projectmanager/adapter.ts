import { z } from 'zod';
import { GatewayErrorCode, UpstreamError, UserFacingError } from '../../domain/errors.js';
import type { Secret } from '../../config/secret.js';
import type { ConnectionModel, ProviderModel } from '../../domain/models.js';
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
import type { ProjectManagerConfig } from './config.js';
import { isConnection, toConnectionModel, toProviderModel } from './to-model.js';
import {
  AstroResult,
  describeAstroFailure,
  isSuccess,
  PmProviderListResult,
  type PmIntegrationProvider,
} from './wire.js';

/** Names Junction as the calling system on every request (the contract's optional x-integration-name). */
const PROJECTMANAGER_INTEGRATION_NAME = 'junction';

const PROVIDERS = { path: '/api/data/integrations/providers', route: '/api/data/integrations/providers' } as const;
const userConnectionPath = (providerId: string) => ({
  path: `/api/data/integrations/providers/${encodeURIComponent(providerId)}/user-connection`,
  route: '/api/data/integrations/providers/{providerId}/user-connection',
});

const isUuid = (s: string) => z.uuid().safeParse(s).success;
const UNAUTHORIZED_STATUS_NAMES = new Set(['Unauthorized', 'Forbidden', 401, 403]);
/**
 * Private: a disconnect's envelope (or HTTP) status that says there is nothing
 * to disconnect: no such provider (NotFound), or no user connection (Conflict).
 * The same userErrors Outlit and Supervity give for the same situations.
 */
function nothingToDisconnect(status: string | number | undefined, provider: string, vendorMessage: string) {
  if (status === 'NotFound' || status === 404)
    return new UserFacingError('NOT_FOUND', `ProjectManager does not know provider ${provider}: ${vendorMessage}`, [
      'input',
      'provider',
    ]);
  if (status === 'Conflict' || status === 409)
    return new UserFacingError('NOT_CONNECTED', `${provider} is not connected at ProjectManager: ${vendorMessage}`, [
      'input',
      'provider',
    ]);
  return null;
}

/**
 * Private: a failed envelope as an UpstreamError. The contract documents only
 * 200 answers, and a 200 may still carry `success: false` / `hasError: true`;
 * the envelope's statusCode then says what kind of failure it was.
 */
function envelopeFailure(result: AstroResult | undefined, httpStatus: number): UpstreamError {
  const message = describeAstroFailure(result);
  const unauthorized = result?.statusCode !== undefined && UNAUTHORIZED_STATUS_NAMES.has(result.statusCode);
  return new UpstreamError(
    'PROJECTMANAGER',
    unauthorized ? GatewayErrorCode.UPSTREAM_UNAUTHORIZED : GatewayErrorCode.UPSTREAM_REJECTED,
    unauthorized
      ? "ProjectManager rejected Junction's credentials for this workspace"
      : `ProjectManager rejected the request: ${message}`,
    { status: httpStatus, vendorMessage: message },
  );
}

/** Private: a non-2xx with an envelope body carries the vendor's explanation; 401/403 keep the default mapping. */
function interpretPmFailure(failure: UpstreamFailure): UpstreamError | undefined {
  if (failure.status === 401 || failure.status === 403) return undefined;
  const body = AstroResult.safeParse(failure.body);
  if (!body.success || body.data.error == null) return undefined;
  return envelopeFailure(body.data, failure.status);
}

/** Private: each workspace's endpoint, on its own token or on a forwarded user's (whose reads are then that user's own). */
const endpointsOf = (config: ProjectManagerConfig, forwarded?: Secret) => {
  const userAuthorization = forwarded && bearer(forwarded);
  return endpointPerOrganization(config.organizations, (o) => ({
    vendor: 'PROJECTMANAGER',
    baseUrl: config.baseUrl,
    headers: {
      authorization: userAuthorization ?? bearer(o.token),
      'x-integration-name': PROJECTMANAGER_INTEGRATION_NAME,
    },
    scope: forwarded ? `projectmanager:${o.id}:user:${forwarded.fingerprint()}` : `projectmanager:${o.id}`,
    interpretFailure: interpretPmFailure,
  }));
};

const setupOf = perConfiguration((config: ProjectManagerConfig): ForwardableSetup => ({
  vendor: 'PROJECTMANAGER',
  organizations: configuredOrganizations(config.organizations),
  // Each workspace on its own token, one cache scope each; a forwarded user token replaces it.
  endpointOf: endpointsOf(config),
  forwardedEndpoints: (token) => endpointsOf(config, token),
}));

export const createProjectManagerAdapter = (
  config: ProjectManagerConfig,
  connect: ConnectTransport,
  options: AdapterRequestOptions = {},
): VendorAdapter => new ProjectManagerAdapter(setupOf(config), connect, options.forwardedCredential);

/** Private: ProjectManager has no workspace read in this contract (the name comes from configuration) and no actions. */
class ProjectManagerAdapter extends ForwardingRequestAdapter<ForwardableSetup> implements VendorAdapter {
  async #listProviders(organizationId: string): Promise<readonly PmIntegrationProvider[]> {
    const transport = this.transportOf(organizationId);
    const result = await transport.read({ ...PROVIDERS, resource: 'providers', schema: PmProviderListResult });
    if (!isSuccess(result)) {
      // The transport cached the 200; a failure must not be served again from the cache.
      await transport.invalidate([PROVIDERS]);
      throw envelopeFailure(result, 200);
    }
    return result.data ?? [];
  }

  checkConnectionKey(key: string): string | null {
    return isUuid(key) ? null : 'a ProjectManager connection key must be a provider UUID';
  }

  async listConnections(organizationId: string): Promise<ConnectionModel[]> {
    return (await this.#listProviders(organizationId))
      .filter(isConnection)
      .map((p) => toConnectionModel(p, organizationId));
  }

  async getConnection(organizationId: string, providerId: string): Promise<ConnectionModel | null> {
    const provider = (await this.#listProviders(organizationId)).find((p) => p.id === providerId.toLowerCase());
    return provider && isConnection(provider) ? toConnectionModel(provider, organizationId) : null;
  }

  async listProviders(organizationId: string): Promise<ProviderModel[]> {
    return (await this.#listProviders(organizationId)).map((p) => toProviderModel(p, organizationId));
  }

  /** Made when a mutation asks for it (a read never does). */
  get disconnectIntegration(): NonNullable<VendorAdapter['disconnectIntegration']> {
    return {
      check: checkDisconnect,
      preview: (target) => this.getConnection(target.organizationId, target.provider),
      execute: (target) => this.#disconnect(target),
    };
  }

  async #disconnect(target: DisconnectTarget) {
    const transport = this.transportOf(target.organizationId);
    // Read first (usually cached): the payload reports the connection as it was, now disconnected.
    const before = await this.getConnection(target.organizationId, target.provider);
    let result: AstroResult | undefined;
    try {
      result = await transport.write({
        method: 'DELETE',
        ...userConnectionPath(target.provider.toLowerCase()),
        schema: AstroResult,
        // Not repeated after an unknown outcome: a repeat of a DELETE that went through answers
        // a Conflict envelope (no user connection) and would fail a disconnect that worked.
        idempotent: false,
      });
    } catch (error) {
      const nothing =
        error instanceof UpstreamError &&
        nothingToDisconnect(error.details.status, target.provider, error.details.vendorMessage ?? '');
      if (nothing) throw nothing;
      if (isUpstreamFailure(error, GatewayErrorCode.UPSTREAM_REJECTED))
        throw new UserFacingError('VENDOR_REJECTED', error.message, ['input', 'provider']);
      throw error;
    }
    // A 200 is not a success by itself: only an envelope that says so is.
    if (!result || !isSuccess(result)) {
      const nothing = nothingToDisconnect(result?.statusCode, target.provider, describeAstroFailure(result));
      if (nothing) throw nothing;
      const failure = envelopeFailure(result, 200);
      if (failure.code === GatewayErrorCode.UPSTREAM_UNAUTHORIZED) throw failure;
      throw new UserFacingError('VENDOR_REJECTED', failure.message, ['input', 'provider']);
    }
    const connection = before
      ? { ...before, status: 'DISCONNECTED' as const, vendorStatus: 'user connection deleted' }
      : null;
    return { connection, disconnectedActionCount: 1 };
  }
}

/** Private: a disconnect names a provider UUID, and no action (a Supervity option). */
function checkDisconnect(target: DisconnectTarget): UserFacingError[] {
  const problems: UserFacingError[] = [];
  if (!isUuid(target.provider))
    problems.push(
      new UserFacingError('INVALID_INPUT', 'provider must be a ProjectManager provider UUID', ['input', 'provider']),
    );
  if (target.action !== undefined)
    problems.push(
      new UserFacingError(
        'INVALID_INPUT',
        'action is a Supervity option; ProjectManager disconnects whole provider connections',
        ['input', 'action'],
      ),
    );
  return problems;
}
