import { z } from 'zod';
import { GatewayErrorCode, UpstreamError, UserFacingError } from '../../domain/errors.js';
import type { UpstreamFailure } from '../../http/failure-classification.js';
import type { ConnectTransport, VendorEndpoint } from '../../loaders/vendor-transport.js';
import type { ConnectionModel, ProviderModel } from '../../domain/models.js';
import type { VendorAdapter } from '../port.js';
import {
  type AdapterSetup,
  configuredOrganizations,
  isUpstreamFailure,
  perConfiguration,
  RequestAdapter,
} from '../adapter-kit.js';
import type { LeenConfig } from './config.js';
import { toConnectionModel, toProviderModel } from './to-model.js';
import { LeenConnection, LeenConnectionList, LeenConnectionWithOrganization, LeenValidationError } from './wire.js';

const isUuid = (s: string) => z.uuid().safeParse(s).success;

const connectionsPath = (organizationId: string) => ({
  path: `/provisioning/organizations/${encodeURIComponent(organizationId)}/connections`,
  route: '/provisioning/organizations/{organizationId}/connections',
});
const connectionPath = (organizationId: string, connectionId: string) => ({
  path: `/provisioning/organizations/${encodeURIComponent(organizationId)}/connections/${encodeURIComponent(connectionId)}`,
  route: '/provisioning/organizations/{organizationId}/connections/{connectionId}',
});

/**
 * Private: Leen documents only 422 (FastAPI validation) besides 200. A 422 about
 * a well-formed id that Leen does not know means "not found"; any other 422
 * means Junction sent something Leen rejects, which is the vendor's message to
 * report. The messages are Leen's validation texts, safe to show (no echo of
 * credentials: FastAPI's `input` field is not passed on).
 */
function interpretLeenFailure(failure: UpstreamFailure): UpstreamError | undefined {
  if (failure.status !== 422) return undefined;
  const body = LeenValidationError.safeParse(failure.body);
  const issues = body.success ? body.data.detail : [];
  const message = issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; ') || 'validation failed';
  const aboutUnknownId = issues.length > 0 && issues.every((i) => i.type === 'not_found');
  if (aboutUnknownId) {
    return new UpstreamError('LEEN', GatewayErrorCode.NOT_FOUND, 'Leen does not know this organization or connection', {
      status: 422,
    });
  }
  return new UpstreamError('LEEN', GatewayErrorCode.UPSTREAM_REJECTED, `Leen rejected the request: ${message}`, {
    status: 422,
    vendorMessage: message,
  });
}

interface LeenSetup extends AdapterSetup {
  /** One API key reaches every organization of the tenant, so one endpoint (and one transport a request) serves them all. */
  readonly endpoint: VendorEndpoint;
}

const setupOf = perConfiguration((config: LeenConfig): LeenSetup => ({
  vendor: 'LEEN',
  organizations: configuredOrganizations(config.organizations),
  endpoint: {
    vendor: 'LEEN',
    baseUrl: config.baseUrl,
    headers: { 'x-api-key': config.apiKey },
    scope: 'leen',
    interpretFailure: interpretLeenFailure,
  },
}));

export const createLeenAdapter = (config: LeenConfig, connect: ConnectTransport): VendorAdapter =>
  new LeenAdapter(setupOf(config), connect);

/** Private: Leen has no organization endpoint (the name comes from configuration) and no actions: the kit's defaults. */
class LeenAdapter extends RequestAdapter<LeenSetup> implements VendorAdapter {
  checkConnectionKey(key: string): string | null {
    return isUuid(key) ? null : 'a Leen connection id must be a UUID';
  }

  // Not async: an async function that only awaits the read would be a frame kept for the whole vendor call.
  listConnections(organizationId: string): Promise<ConnectionModel[]> {
    try {
      return this.transport(this.setup.endpoint)
        .read({ ...connectionsPath(organizationId), resource: 'connections', schema: LeenConnectionList })
        .then((list) => list.map(toConnectionModel));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async getConnection(organizationId: string, key: string): Promise<ConnectionModel | null> {
    try {
      const c = await this.transport(this.setup.endpoint).read({
        ...connectionPath(organizationId, key),
        resource: 'connections',
        schema: LeenConnectionWithOrganization,
      });
      return c.organization_id === organizationId ? toConnectionModel(c) : null;
    } catch (error) {
      if (isUpstreamFailure(error, GatewayErrorCode.NOT_FOUND)) return null;
      throw error;
    }
  }

  async listProviders(organizationId: string): Promise<ProviderModel[]> {
    // Leen has no catalogue endpoint; the tools an organization has connected are its providers.
    const connections = await this.listConnections(organizationId);
    const vendors = [...new Set(connections.map((c) => c.provider.slug))].sort();
    return vendors.map((v) => toProviderModel(v, organizationId));
  }

  /** Made when a mutation asks for it (a read never does). */
  get deleteConnection(): NonNullable<VendorAdapter['deleteConnection']> {
    return { check: checkDelete, execute: (connection) => this.#delete(connection) };
  }

  async #delete(connection: ConnectionModel) {
    const deleted = await this.transport(this.setup.endpoint).write({
      method: 'DELETE',
      ...connectionPath(connection.organizationId, connection.key),
      schema: LeenConnection,
      // Not idempotent in effect for the caller: a repeat after a lost answer finds the
      // connection gone (422 not_found) and would report NOT_FOUND for a delete that worked.
      idempotent: false,
    });
    return { connection: deleted ? toConnectionModel(deleted) : null, organization: null };
  }
}

/** Private: Leen connections have no external account; the option is another vendor's. */
const checkDelete: NonNullable<VendorAdapter['deleteConnection']>['check'] = ({ deleteExternalAccount }) =>
  deleteExternalAccount
    ? [
        new UserFacingError(
          'INVALID_INPUT',
          'deleteExternalAccount is a UserHub option; Leen connections have no external account to delete',
          ['input', 'deleteExternalAccount'],
        ),
      ]
    : [];
