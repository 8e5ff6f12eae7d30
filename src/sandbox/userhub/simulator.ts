import { SANDBOX_CREDENTIALS } from '../credentials.js';
import type { SimRequest, SimResponse, VendorSimulator } from '../simulator.js';
import {
  USERHUB_SEED,
  USERHUB_SEED_CONNECTIONS,
  type UserHubSeedConnection,
  type UserHubSeedOrganization,
} from './seed.js';

/**
 * UserHub's Admin API (shared/contracts/userhub.yaml): GET an organization and
 * POST its `:disconnect`. Every error is an `apiv1.Status` body. The external
 * systems behind the connections (Stripe customers…) are modelled too, so a
 * `deleteExternalAccount` is observable: see `ExternalAccounts`.
 */

/** The external systems' accounts (e.g. Stripe customers), keyed by external id; `deleted` once UserHub deleted them. */
export class ExternalAccounts {
  readonly #deleted = new Set<string>();
  isDeleted(externalId: string): boolean {
    return this.#deleted.has(externalId);
  }
  deleted(): string[] {
    return [...this.#deleted];
  }
  /** @internal the simulator's side */
  markDeleted(externalId: string): void {
    this.#deleted.add(externalId);
  }
  /** @internal the simulator's side */
  clear(): void {
    this.#deleted.clear();
  }
}

export interface UserHubSimulatorOptions {
  readonly seed?: readonly UserHubSeedOrganization[];
  readonly connections?: readonly UserHubSeedConnection[];
  /** Where deleted external accounts are recorded; pass one in to observe it. Reset with the simulator. */
  readonly externalAccounts?: ExternalAccounts;
  /** Echo the received key in 401 bodies, so tests can prove Junction never passes vendor bodies on. */
  readonly echoCredentials?: boolean;
}

const SEEDED = '2024-11-15T13:00:00Z';

const status = (httpStatus: number, code: string, message: string, param?: string): SimResponse => ({
  status: httpStatus,
  body: { code, message, ...(param && { param }) },
});

type AccountConnectionBody = Record<string, unknown> & { connection: { id: string }; externalId: string };
interface Organization {
  readonly body: Record<string, unknown>;
  accountConnections: AccountConnectionBody[];
}

export function createUserHubSimulator(options: UserHubSimulatorOptions = {}): VendorSimulator {
  const seed = options.seed ?? USERHUB_SEED;
  const connections = new Map((options.connections ?? USERHUB_SEED_CONNECTIONS).map((c) => [c.id, c]));
  const externalAccounts = options.externalAccounts ?? new ExternalAccounts();
  let organizations = new Map<string, Organization>();

  const connectionBody = (c: UserHubSeedConnection) => ({
    id: c.id,
    displayName: c.displayName,
    state: c.state,
    ...(c.stateReason && { stateReason: c.stateReason }),
    type: c.type,
    delegate: null,
    providers: c.type === 'STRIPE' ? [{ type: 'BILLING', default: true }] : [],
    createTime: SEEDED,
    updateTime: SEEDED,
  });

  const reset = () => {
    externalAccounts.clear();
    organizations = new Map(
      seed.map((o) => [
        o.id,
        {
          body: {
            id: o.id,
            state: o.state,
            displayName: o.name,
            email: `billing@${o.name.toLowerCase().replace(/\W+/g, '')}.example`,
            emailVerified: true,
            address: null,
            subscription: null,
            signupTime: SEEDED,
            memberCount: 3,
            createTime: SEEDED,
            updateTime: SEEDED,
          },
          accountConnections: o.accounts.map((a) => ({
            connection: connectionBody(connections.get(a.connectionId)!),
            externalId: a.externalId,
            ...(a.adminUrl && { adminUrl: a.adminUrl }),
            state: a.state,
            currencyCode: 'USD',
            balanceAmount: '0',
            paymentMethods: [],
            pullTime: SEEDED,
            pushTime: null,
            createTime: SEEDED,
            updateTime: SEEDED,
          })),
        },
      ]),
    );
  };
  reset();

  const organizationBody = (org: Organization) => ({ ...org.body, accountConnections: org.accountConnections });
  const findOrganization = (req: SimRequest) => organizations.get(req.params.organizationId!);

  return {
    vendor: 'USERHUB',
    reset,
    authenticate(req) {
      const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      if (match?.[1] === SANDBOX_CREDENTIALS.userhub.apiKey) return null;
      const message =
        options.echoCredentials && req.headers.authorization
          ? `Invalid API key: ${req.headers.authorization}`
          : 'Invalid or missing admin API key.';
      return status(401, 'UNAUTHENTICATED', message);
    },
    routes: [
      {
        method: 'GET',
        path: '/admin/v1/organizations/{organizationId}',
        handle(req) {
          const org = findOrganization(req);
          if (!org) return status(404, 'NOT_FOUND', 'Organization not found.');
          return { status: 200, body: organizationBody(org) };
        },
      },
      {
        method: 'POST',
        path: '/admin/v1/organizations/{organizationId}:disconnect',
        handle(req) {
          const body = req.body as { connectionId?: unknown; deleteExternalAccount?: unknown } | undefined;
          if (!body || typeof body !== 'object' || typeof body.connectionId !== 'string' || body.connectionId === '')
            return status(400, 'INVALID_ARGUMENT', 'The connection identifier is required.', 'connectionId');
          if (body.deleteExternalAccount !== undefined && typeof body.deleteExternalAccount !== 'boolean')
            return status(400, 'INVALID_ARGUMENT', 'deleteExternalAccount must be a boolean.', 'deleteExternalAccount');
          const org = findOrganization(req);
          if (!org) return status(404, 'NOT_FOUND', 'Organization not found.');
          const linked = org.accountConnections.find((a) => a.connection.id === body.connectionId);
          if (!linked) return status(404, 'NOT_FOUND', 'Account connection not found.');
          org.accountConnections = org.accountConnections.filter((a) => a !== linked);
          if (body.deleteExternalAccount === true) externalAccounts.markDeleted(linked.externalId);
          org.body.updateTime = new Date().toISOString();
          return { status: 200, body: organizationBody(org) };
        },
      },
    ],
  };
}
