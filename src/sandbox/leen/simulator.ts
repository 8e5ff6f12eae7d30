import { SANDBOX_CREDENTIALS } from '../credentials.js';
import type { SimRequest, SimResponse, VendorSimulator } from '../simulator.js';
import { LEEN_SEED, type LeenSeedConnection, type LeenSeedOrganization } from './seed.js';

/** Leen's provisioning API (shared/contracts/leen.yaml): list, get and delete connections. */

export interface LeenSimulatorOptions {
  readonly seed?: readonly LeenSeedOrganization[];
  /** Echo the received API key in 401 bodies, so tests can prove Junction never passes vendor bodies on. */
  readonly echoCredentials?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CREATED = '2024-05-02T10:15:00Z';

const HEALTH = {
  HEALTHY: {
    name: 'HEALTHY',
    status: 'HEALTHY',
    description: 'Connection is healthy',
    resolution_owner: 'LEEN',
    details: null,
  },
  INITIALIZING: {
    name: 'INITIALIZING',
    status: 'INITIALIZING',
    description: 'First sync in progress',
    resolution_owner: 'LEEN',
    details: null,
  },
  UNAUTHORIZED: {
    name: 'UNAUTHORIZED',
    status: 'UNHEALTHY',
    description: 'The vendor rejected the stored credentials',
    resolution_owner: 'CUSTOMER',
    details: [{ data_export_type: 'devices', endpoint: '/devices/queries/devices/v1' }],
  },
} as const;

/** Where Leen sends an organization's admin to (re-)authorize a tool; a reserved example domain in the sandbox. */
const AUTHORIZE_BASE = 'https://app.leen.example/oauth2/authorize';

/** Private: Leen offers an authorize URL while a connection waits for its first authorization or lost it. */
const needsAuthorization = (c: LeenSeedConnection) => c.state === 'PENDING' || c.health === 'UNAUTHORIZED';

type LeenConnectionBody = ReturnType<typeof toBody>;

function toBody(orgId: string, c: LeenSeedConnection, updatedAt = '2024-06-01T08:00:00Z') {
  return {
    id: c.id,
    vendor: c.vendor,
    is_active: c.state === 'ACTIVE',
    refresh_interval_secs: 86400,
    timeout_secs: 3600,
    organization_id: orgId,
    oauth2_authorize_url: needsAuthorization(c) ? `${AUTHORIZE_BASE}?connection_id=${c.id}` : null,
    identifier: c.identifier,
    state: c.state,
    created_at: CREATED,
    updated_at: updatedAt,
    health: HEALTH[c.health],
  };
}

const validationError = (loc: string[], msg: string, type: string): SimResponse => ({
  status: 422,
  body: { detail: [{ loc, msg, type }] },
});

export function createLeenSimulator(options: LeenSimulatorOptions = {}): VendorSimulator {
  const seed = options.seed ?? LEEN_SEED;
  let organizations = new Map<string, { name: string; connections: Map<string, LeenConnectionBody> }>();
  const reset = () => {
    organizations = new Map(
      seed.map((o) => [
        o.id,
        { name: o.name, connections: new Map(o.connections.map((c) => [c.id, toBody(o.id, c)])) },
      ]),
    );
  };
  reset();

  type Organization = { name: string; connections: Map<string, LeenConnectionBody> };
  type Found<T> = { error: SimResponse } | { error: null; value: T };

  /** Private: FastAPI validates path UUIDs first (422 uuid_parsing), then the handler looks the ids up. */
  const findOrganization = (req: SimRequest): Found<Organization> => {
    const orgId = req.params.organization_id!;
    if (!UUID.test(orgId))
      return { error: validationError(['path', 'organization_id'], 'Input should be a valid UUID', 'uuid_parsing') };
    const org = organizations.get(orgId.toLowerCase());
    if (!org) return { error: validationError(['path', 'organization_id'], 'Organization not found', 'not_found') };
    return { error: null, value: org };
  };
  const findConnection = (req: SimRequest): Found<{ org: Organization; connection: LeenConnectionBody }> => {
    const found = findOrganization(req);
    if (found.error) return found;
    const connId = req.params.connection_id!;
    if (!UUID.test(connId))
      return { error: validationError(['path', 'connection_id'], 'Input should be a valid UUID', 'uuid_parsing') };
    const connection = found.value.connections.get(connId.toLowerCase());
    if (!connection) return { error: validationError(['path', 'connection_id'], 'Connection not found', 'not_found') };
    return { error: null, value: { org: found.value, connection } };
  };

  return {
    vendor: 'LEEN',
    reset,
    authenticate(req) {
      const key = req.headers['x-api-key'];
      if (key === SANDBOX_CREDENTIALS.leen.apiKey) return null;
      const detail =
        options.echoCredentials && typeof key === 'string' ? `Invalid API key: ${key}` : 'Invalid or missing API key';
      return { status: 401, body: { detail } };
    },
    routes: [
      {
        method: 'GET',
        path: '/provisioning/organizations/{organization_id}/connections',
        handle(req) {
          const found = findOrganization(req);
          if (found.error) return found.error;
          return { status: 200, body: [...found.value.connections.values()] };
        },
      },
      {
        method: 'GET',
        path: '/provisioning/organizations/{organization_id}/connections/{connection_id}',
        handle(req) {
          const found = findConnection(req);
          if (found.error) return found.error;
          return { status: 200, body: { ...found.value.connection, organization_name: found.value.org.name } };
        },
      },
      {
        method: 'DELETE',
        path: '/provisioning/organizations/{organization_id}/connections/{connection_id}',
        handle(req) {
          const found = findConnection(req);
          if (found.error) return found.error;
          const { org, connection } = found.value;
          org.connections.delete(connection.id);
          return {
            status: 200,
            body: { ...connection, state: 'DELETED', is_active: false, updated_at: new Date().toISOString() },
          };
        },
      },
    ],
  };
}
