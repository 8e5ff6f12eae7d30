import { GatewayErrorCode, UpstreamError, UserFacingError } from '../../domain/errors.js';
import type { UpstreamFailure } from '../../http/failure-classification.js';
import type { ConnectionModel, OrganizationModel, ProviderModel } from '../../domain/models.js';
import type { ConnectTransport, VendorEndpoint } from '../../loaders/vendor-transport.js';
import type { VendorAdapter } from '../port.js';
import {
  type AdapterSetup,
  bearer,
  configuredOrganizations,
  isUpstreamFailure,
  perConfiguration,
  RequestAdapter,
} from '../adapter-kit.js';
import type { UserHubConfig } from './config.js';
import { connectionsOf, toOrganizationModel, toProviderModel } from './to-model.js';
import { UserHubOrganization, UserHubStatus } from './wire.js';

const CONNECTION_ID = /^conn_[A-Za-z0-9]{1,64}$/;

const organizationPath = (organizationId: string) => ({
  path: `/admin/v1/organizations/${encodeURIComponent(organizationId)}`,
  route: '/admin/v1/organizations/{organizationId}',
});
// A Google-style custom method: ":disconnect" follows the id directly.
const disconnectPath = (organizationId: string) => ({
  path: `/admin/v1/organizations/${encodeURIComponent(organizationId)}:disconnect`,
  route: '/admin/v1/organizations/{organizationId}:disconnect',
});

/** UserHub's Status codes (Google API style) → Junction's error codes; anything else keeps the HTTP status default. */
const CODE_MAP: Readonly<Record<string, GatewayErrorCode>> = {
  NOT_FOUND: GatewayErrorCode.NOT_FOUND,
  UNAUTHENTICATED: GatewayErrorCode.UPSTREAM_UNAUTHORIZED,
  PERMISSION_DENIED: GatewayErrorCode.UPSTREAM_UNAUTHORIZED,
  INVALID_ARGUMENT: GatewayErrorCode.UPSTREAM_REJECTED,
  FAILED_PRECONDITION: GatewayErrorCode.UPSTREAM_REJECTED,
  ALREADY_EXISTS: GatewayErrorCode.UPSTREAM_REJECTED,
  OUT_OF_RANGE: GatewayErrorCode.UPSTREAM_REJECTED,
  ABORTED: GatewayErrorCode.UPSTREAM_REJECTED,
  RESOURCE_EXHAUSTED: GatewayErrorCode.RATE_LIMITED,
};

/**
 * Private: every UserHub error is a `Status` body. Its code decides the class.
 * The developer-facing message is reported for rejections only (it explains
 * what Junction sent); auth failures never carry a vendor text to a client.
 */
function interpretUserHubFailure(failure: UpstreamFailure): UpstreamError | undefined {
  const parsed = UserHubStatus.safeParse(failure.body);
  const status = parsed.success ? parsed.data : {};
  const code = status.code ? CODE_MAP[status.code] : undefined;
  if (!code) return undefined;
  const details = { status: failure.status };
  switch (code) {
    case GatewayErrorCode.UPSTREAM_REJECTED: {
      const message = [status.param, status.message].filter(Boolean).join(': ') || status.code!;
      return new UpstreamError('USERHUB', code, `UserHub rejected the request: ${message}`, {
        ...details,
        vendorMessage: message,
      });
    }
    case GatewayErrorCode.NOT_FOUND:
      return new UpstreamError('USERHUB', code, 'UserHub does not know this organization or connection', details);
    case GatewayErrorCode.RATE_LIMITED:
      return new UpstreamError('USERHUB', code, 'UserHub is rate-limiting Junction', details);
    default:
      return new UpstreamError('USERHUB', code, "UserHub rejected Junction's credentials for this tenant", details);
  }
}

interface UserHubSetup extends AdapterSetup {
  /** One admin key reaches every organization of the tenant, so one endpoint (and one transport a request) serves them all. */
  readonly endpoint: VendorEndpoint;
}

const setupOf = perConfiguration((config: UserHubConfig): UserHubSetup => ({
  vendor: 'USERHUB',
  organizations: configuredOrganizations(config.organizations),
  endpoint: {
    vendor: 'USERHUB',
    baseUrl: config.baseUrl,
    headers: { authorization: bearer(config.apiKey) },
    scope: 'userhub',
    interpretFailure: interpretUserHubFailure,
  },
}));

export const createUserHubAdapter = (config: UserHubConfig, connect: ConnectTransport): VendorAdapter =>
  new UserHubAdapter(setupOf(config), connect);

/** Private: UserHub has no actions (the kit's default); its organizations are read from UserHub. */
class UserHubAdapter extends RequestAdapter<UserHubSetup> implements VendorAdapter {
  #configuredName(id: string) {
    return this.setup.organizations.get(id)?.displayName ?? null;
  }

  #readOrganization(organizationId: string) {
    return this.transport(this.setup.endpoint).read({
      ...organizationPath(organizationId),
      resource: 'organization',
      schema: UserHubOrganization,
    });
  }

  checkConnectionKey(key: string): string | null {
    return CONNECTION_ID.test(key) ? null : 'a UserHub connection id looks like conn_…';
  }

  override async getOrganization(organizationId: string): Promise<OrganizationModel> {
    return toOrganizationModel(await this.#readOrganization(organizationId), this.#configuredName(organizationId));
  }

  async listConnections(organizationId: string): Promise<ConnectionModel[]> {
    return connectionsOf(await this.#readOrganization(organizationId));
  }

  async getConnection(organizationId: string, key: string): Promise<ConnectionModel | null> {
    return (await this.listConnections(organizationId)).find((c) => c.key === key) ?? null;
  }

  async listProviders(organizationId: string): Promise<ProviderModel[]> {
    // No catalogue endpoint: the connection types an organization is linked through are its providers.
    const types = new Set((await this.listConnections(organizationId)).map((c) => c.provider.slug));
    return [...types].sort().map((type) => toProviderModel(type, organizationId));
  }

  /** Made when a mutation asks for it (a read never does). */
  get deleteConnection(): NonNullable<VendorAdapter['deleteConnection']> {
    return { check: checkDelete, execute: (connection, request) => this.#delete(connection, request) };
  }

  async #delete(connection: ConnectionModel, { deleteExternalAccount }: { readonly deleteExternalAccount: boolean }) {
    let organization;
    try {
      organization = await this.transport(this.setup.endpoint).write({
        method: 'POST',
        ...disconnectPath(connection.organizationId),
        body: { connectionId: connection.key, ...(deleteExternalAccount && { deleteExternalAccount: true }) },
        schema: UserHubOrganization,
        // Not repeated after an unknown outcome: a second :disconnect of a connection that is
        // already gone is an error at UserHub, and deleteExternalAccount is not undoable.
        idempotent: false,
      });
    } catch (error) {
      if (isUpstreamFailure(error, GatewayErrorCode.NOT_FOUND))
        throw new UserFacingError('NOT_FOUND', 'UserHub does not know this connection', ['input', 'connectionId']);
      throw error;
    }
    return {
      // UserHub answers with the organization only; the account link it removed is reported as disconnected.
      connection: { ...connection, status: 'DISCONNECTED' as const },
      organization: organization ? toOrganizationModel(organization, this.#configuredName(organization.id)) : null,
    };
  }
}

/** Private: deleting the external account (a Stripe customer) cannot be undone: the caller must confirm it. */
const checkDelete: NonNullable<VendorAdapter['deleteConnection']>['check'] = ({ deleteExternalAccount, confirmed }) =>
  deleteExternalAccount && !confirmed
    ? [
        new UserFacingError(
          'CONFIRMATION_REQUIRED',
          'deleteExternalAccount irreversibly deletes the external account: repeat the connection ID in confirmConnectionId',
          ['input', 'confirmConnectionId'],
        ),
      ]
    : [];
