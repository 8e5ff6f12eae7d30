import { GatewayErrorCode, UpstreamError, UserFacingError } from '../../domain/errors.js';
import { textInputProblem } from '../../domain/input-policy.js';
import type { ConnectionModel, ProviderModel } from '../../domain/models.js';
import type { UpstreamFailure } from '../../http/failure-classification.js';
import type { ConnectTransport, VendorEndpoint } from '../../loaders/vendor-transport.js';
import type { DisconnectTarget, VendorAdapter } from '../port.js';
import {
  type AdapterSetup,
  bearer,
  configuredOrganizations,
  endpointPerOrganization,
  isUpstreamFailure,
  perConfiguration,
  RequestAdapter,
} from '../adapter-kit.js';
import type { OutlitConfig } from './config.js';
import { isKnownProviderId, isNotConnected, toConnectionModel, toProviderModel } from './to-model.js';
import {
  OUTLIT_PROVIDER_IDS,
  OutlitDisconnectResponse,
  OutlitErrorResponse,
  OutlitIntegrationList,
  OutlitNotConnected,
  OutlitSyncStatus,
} from './wire.js';

const INTEGRATIONS = { path: '/api/integrations', route: '/api/integrations' } as const;
const DISCONNECT = { path: '/api/integrations/disconnect', route: '/api/integrations/disconnect' } as const;
const syncStatusPath = (provider: string) => ({
  path: '/api/integrations/sync-status',
  route: '/api/integrations/sync-status',
  query: { provider },
});

const isProviderId = isKnownProviderId;
const notAProvider = `must be one of Outlit's provider ids: ${OUTLIT_PROVIDER_IDS.join(', ')}`;

/**
 * Private: Outlit's documented 4xx bodies. A 400 carries `ValidationIssue`s,
 * whose messages are Outlit's own validation texts (safe to show; the body is
 * otherwise not passed on). A 404 is documented only for disconnect: the
 * provider is valid but not connected. 401 and 5xx take the default mapping.
 */
function interpretOutlitFailure(failure: UpstreamFailure): UpstreamError | undefined {
  if (failure.status === 400) {
    const body = OutlitErrorResponse.safeParse(failure.body);
    const issues = body.success ? (body.data.details ?? []) : [];
    const message =
      issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') ||
      (body.success ? body.data.error : 'invalid request');
    return new UpstreamError('OUTLIT', GatewayErrorCode.UPSTREAM_REJECTED, `Outlit rejected the request: ${message}`, {
      status: 400,
      vendorMessage: message,
    });
  }
  if (failure.status === 404) {
    const body = OutlitNotConnected.safeParse(failure.body);
    if (body.success)
      return new UpstreamError('OUTLIT', GatewayErrorCode.NOT_FOUND, `Outlit: ${body.data.message}`, {
        status: 404,
        vendorMessage: body.data.message,
      });
  }
  return undefined;
}

interface OutlitSetup extends AdapterSetup {
  /** One API key per Outlit organization: one endpoint (and cache scope) each. */
  readonly endpointOf: (organizationId: string) => VendorEndpoint;
}

const setupOf = perConfiguration((config: OutlitConfig): OutlitSetup => ({
  vendor: 'OUTLIT',
  organizations: configuredOrganizations(config.organizations),
  endpointOf: endpointPerOrganization(config.organizations, (o) => ({
    vendor: 'OUTLIT',
    baseUrl: config.baseUrl,
    headers: { authorization: bearer(o.apiKey) },
    scope: `outlit:${o.id}`,
    interpretFailure: interpretOutlitFailure,
  })),
}));

export const createOutlitAdapter = (config: OutlitConfig, connect: ConnectTransport): VendorAdapter =>
  new OutlitAdapter(setupOf(config), connect);

/** Private: Outlit has no organization endpoint (the organization is the one behind the API key) and no actions. */
class OutlitAdapter extends RequestAdapter<OutlitSetup> implements VendorAdapter {
  #outlit(organizationId: string) {
    return this.transport(this.setup.endpointOf(organizationId));
  }

  async #listIntegrations(organizationId: string) {
    return (
      await this.#outlit(organizationId).read({
        ...INTEGRATIONS,
        resource: 'connections',
        schema: OutlitIntegrationList,
      })
    ).items;
  }

  // Any provider id Outlit may list, known or not: such a key is only compared with the list, never sent.
  checkConnectionKey(key: string): string | null {
    const problem = textInputProblem(key);
    return problem ? `an Outlit connection key (a provider id) ${problem}` : null;
  }

  async listConnections(organizationId: string): Promise<ConnectionModel[]> {
    const items = await this.#listIntegrations(organizationId);
    return items.filter((i) => !isNotConnected(i)).map((i) => toConnectionModel(i, organizationId));
  }

  /** A connected integration, with its per-model sync health; null when not connected. */
  async getConnection(organizationId: string, provider: string): Promise<ConnectionModel | null> {
    if (!isProviderId(provider)) {
      // A provider the contract does not list: the list alone (sync-status takes listed ids only).
      const item = (await this.#listIntegrations(organizationId)).find((i) => i.id === provider);
      return item && !isNotConnected(item) ? toConnectionModel(item, organizationId) : null;
    }
    // Both reads start in the same tick, so the loader fetches them concurrently.
    const [items, syncStatus] = await Promise.all([
      this.#listIntegrations(organizationId),
      this.#outlit(organizationId).read({
        ...syncStatusPath(provider),
        resource: 'connections',
        schema: OutlitSyncStatus,
      }),
    ]);
    const item = items.find((i) => i.id === provider);
    if (!item || isNotConnected(item) || syncStatus.status === 'not_connected') return null;
    return toConnectionModel(item, organizationId, syncStatus.syncs);
  }

  async listProviders(organizationId: string): Promise<ProviderModel[]> {
    // The list holds every provider Outlit offers, connected or not.
    return (await this.#listIntegrations(organizationId)).map((i) => toProviderModel(i, organizationId));
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
    const transport = this.#outlit(target.organizationId);
    // Read first (usually cached): the payload reports the connection as it was, now disconnected.
    const before = (await this.#listIntegrations(target.organizationId)).find((i) => i.id === target.provider);
    try {
      await transport.write({
        method: 'POST',
        ...DISCONNECT,
        body: { provider: target.provider },
        schema: OutlitDisconnectResponse,
        // Not repeated after an unknown outcome: a repeat of a disconnect that went through
        // finds the provider no longer connected and would fail a disconnect that worked.
        idempotent: false,
      });
    } catch (error) {
      if (isUpstreamFailure(error, GatewayErrorCode.NOT_FOUND))
        throw new UserFacingError(
          'NOT_CONNECTED',
          `${target.provider} is not connected at Outlit${error.details.vendorMessage ? `: ${error.details.vendorMessage}` : ''}`,
          ['input', 'provider'],
        );
      if (isUpstreamFailure(error, GatewayErrorCode.UPSTREAM_REJECTED))
        throw new UserFacingError('VENDOR_REJECTED', error.message, ['input', 'provider']);
      throw error;
    }
    const connection = before
      ? toConnectionModel(
          {
            ...before,
            status: 'not_connected',
            connectionId: before.connectionId,
            syncStatus: null,
            errorMessage: null,
          },
          target.organizationId,
        )
      : null;
    return { connection, disconnectedActionCount: 1 };
  }
}

/** Private: a disconnect names one of Outlit's providers, and no action (a Supervity option). */
function checkDisconnect(target: DisconnectTarget): UserFacingError[] {
  const problems: UserFacingError[] = [];
  if (!isProviderId(target.provider))
    problems.push(new UserFacingError('INVALID_INPUT', `provider ${notAProvider}`, ['input', 'provider']));
  if (target.action !== undefined)
    problems.push(
      new UserFacingError('INVALID_INPUT', 'action is a Supervity option; Outlit disconnects whole integrations', [
        'input',
        'action',
      ]),
    );
  return problems;
}
