import type { SimRequest, SimResponse, VendorSimulator } from '../simulator.js';
import { PM_PROVIDERS, PM_USERS, type PmSeedUser } from './seed.js';

/**
 * ProjectManager's Integration Provider routes (shared/contracts/projectmanager.yaml):
 * list providers, disconnect the user connection of one. State is per bearer
 * token (a user in a workspace). Every body is an AstroResult envelope.
 *
 * The contract documents only 200 answers, so failures the contract does not
 * describe are modelled as the envelope allows: HTTP 200 with `success: false`,
 * `hasError: true`, an `error` and a statusCode name (BadRequest for a
 * malformed providerId, NotFound for an unknown provider, Conflict for a
 * provider with no user connection). A missing or unknown token is HTTP 401
 * (bearer security), with a failure envelope as body.
 */

export interface ProjectManagerSimulatorOptions {
  readonly users?: readonly PmSeedUser[];
  /** Echo the received token in 401 bodies, so tests can prove Junction never passes vendor bodies on. */
  readonly echoCredentials?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CREATED = '2024-01-15T09:30:00Z';

interface UserConnection {
  authenticated: boolean;
}

const ok = (data?: unknown): SimResponse => ({
  status: 200,
  body: { error: null, success: true, hasError: false, statusCode: 'OK', ...(data !== undefined && { data }) },
});

const failure = (
  status: number,
  statusCode: string,
  message: string,
  validationErrors: Record<string, string[]> | null = null,
): SimResponse => ({
  status,
  body: {
    error: { technicalError: null, additionalErrors: null, validationErrors, message },
    success: false,
    hasError: true,
    statusCode,
  },
});

function providerBody(providerId: string, connection: UserConnection | undefined) {
  const p = PM_PROVIDERS.find((x) => x.id === providerId)!;
  const authenticated = connection?.authenticated ?? false;
  return {
    id: p.id,
    name: p.name,
    shortId: p.shortId,
    summary: p.summary,
    description: `Connect ProjectManager to ${p.name}.`,
    licenseSkus: ['business'],
    categoryShortIds: [p.category],
    activated: connection !== undefined,
    authenticated,
    integrations: [
      {
        id: p.integration.id,
        name: p.integration.name,
        description: p.summary,
        shortId: p.integration.shortId,
        isMultiInstance: false,
        config: null,
        licenseSkus: ['business'],
        instances: authenticated
          ? [
              {
                id: `${p.integration.id.slice(0, 24)}00000000a001`,
                integrationShortId: p.integration.shortId,
                enabledBy: null,
                createDate: CREATED,
                modifyDate: CREATED,
                projectId: null,
                providerItemId: null,
                providerItemName: null,
              },
            ]
          : [],
        enabled: connection !== undefined,
        authenticated,
        autoEnabled: false,
      },
    ],
    authSetup: { masterConnection: 'oauth2', userConnection: 'oauth2', masterConnectionSchema: null },
    createInWorkato: false,
  };
}

export function createProjectManagerSimulator(options: ProjectManagerSimulatorOptions = {}): VendorSimulator {
  const users = options.users ?? PM_USERS;
  let byToken = new Map<string, Map<string, UserConnection>>();
  const reset = () => {
    byToken = new Map(
      users.map((u) => [
        u.token,
        new Map(u.connections.map((c) => [c.providerId, { authenticated: c.authenticated }])),
      ]),
    );
  };
  reset();

  const bearer = (req: SimRequest) => /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const connectionsOf = (req: SimRequest) => byToken.get(bearer(req)!)!;

  return {
    vendor: 'PROJECTMANAGER',
    reset,
    authenticate(req) {
      const token = bearer(req);
      if (token && byToken.has(token)) return null;
      const message = options.echoCredentials && token ? `Invalid token: ${token}` : 'Unauthorized';
      return failure(401, 'Unauthorized', message);
    },
    routes: [
      {
        method: 'GET',
        path: '/api/data/integrations/providers',
        handle(req) {
          const connections = connectionsOf(req);
          return ok(PM_PROVIDERS.map((p) => providerBody(p.id, connections.get(p.id))));
        },
      },
      {
        method: 'DELETE',
        path: '/api/data/integrations/providers/{providerId}/user-connection',
        handle(req) {
          const providerId = req.params.providerId!;
          if (!UUID.test(providerId))
            return failure(200, 'BadRequest', 'The request is invalid.', {
              providerId: [`The value '${providerId}' is not valid.`],
            });
          const id = providerId.toLowerCase();
          if (!PM_PROVIDERS.some((p) => p.id === id))
            return failure(200, 'NotFound', 'The integration provider was not found.');
          const connections = connectionsOf(req);
          if (!connections.has(id))
            return failure(200, 'Conflict', 'There is no user connection for this integration provider.');
          connections.delete(id);
          return ok();
        },
      },
    ],
  };
}
