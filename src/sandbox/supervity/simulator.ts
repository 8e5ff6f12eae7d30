import { SANDBOX_CREDENTIALS } from '../credentials.js';
import type { SimRequest, SimResponse, VendorSimulator } from '../simulator.js';
import {
  SUPERVITY_SEED,
  type SupervitySeedAccount,
  type SupervitySeedIntegration,
  type SupervitySeedOrganization,
} from './seed.js';

/**
 * Supervity's integrations API (shared/contracts/workflows.yaml): GET /me,
 * PATCH .../sharing, DELETE .../actions/{actionName}. The contract documents
 * no error responses; this simulator answers errors with the platform's
 * envelope `{ success: false, message }` (assumed, see README), and sends each
 * account's UUID as an extra `id` property on /me.
 */

export interface SupervitySimulatorOptions {
  readonly seed?: readonly SupervitySeedOrganization[];
  /** Echo the received token in 401 bodies, so tests can prove Junction never passes vendor bodies on. */
  readonly echoCredentials?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9_-]+$/;

interface Account {
  readonly id?: string;
  readonly accountIdentifier: string;
  readonly integrationSlug: string;
  readonly baseUrl: string | null;
  sharedTeamKeys: string[];
}
interface UserAction {
  readonly action: { name: string; displayName: string; description: string; documentation: string[]; notes: string };
  readonly group: { name: string; displayName: string; description: string; notes: string };
}
interface Organization {
  accounts: Account[];
  userActions: UserAction[];
}

const failure = (status: number, message: string): SimResponse => ({ status, body: { success: false, message } });

const toAccount = (a: SupervitySeedAccount): Account => ({ ...a, sharedTeamKeys: [...a.sharedTeamKeys] });
const toUserActions = (i: SupervitySeedIntegration): UserAction[] =>
  i.actions.map((a) => ({
    action: {
      name: a.name,
      displayName: a.displayName,
      description: a.description,
      documentation: [...a.documentation],
      notes: '',
    },
    group: { name: i.slug, displayName: i.displayName, description: i.description, notes: i.notes },
  }));

export function createSupervitySimulator(options: SupervitySimulatorOptions = {}): VendorSimulator {
  const seed = options.seed ?? SUPERVITY_SEED;
  const tokens = new Set<string>([SANDBOX_CREDENTIALS.supervity.token, SANDBOX_CREDENTIALS.supervity.userToken]);
  let organizations = new Map<string, Organization>();
  const reset = () => {
    organizations = new Map(
      seed.map((o) => [
        o.id,
        { accounts: o.accounts.map(toAccount), userActions: o.integrations.flatMap(toUserActions) },
      ]),
    );
  };
  reset();

  /** The x-active-org organization; without the header (the contract does not require it), the user's first. */
  const activeOrganization = (req: SimRequest): { error: SimResponse } | { error: null; org: Organization } => {
    const header = req.headers['x-active-org'];
    const id = typeof header === 'string' ? header : seed[0]?.id;
    const org = id === undefined ? undefined : organizations.get(id);
    if (!org) return { error: failure(403, 'You are not a member of the active organization') };
    return { error: null, org };
  };

  return {
    vendor: 'SUPERVITY',
    reset,
    authenticate(req) {
      const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      if (match && tokens.has(match[1]!)) return null;
      const message =
        options.echoCredentials && req.headers.authorization
          ? `Invalid or expired token: ${req.headers.authorization}`
          : 'Invalid or expired token';
      return failure(401, message);
    },
    routes: [
      {
        method: 'GET',
        path: '/api/v1/integrations/me',
        handle(req) {
          const found = activeOrganization(req);
          if (found.error) return found.error;
          return { status: 200, body: { integrations: found.org.accounts, userActions: found.org.userActions } };
        },
      },
      {
        method: 'PATCH',
        path: '/api/v1/integrations/accounts/{accountId}/sharing',
        handle(req) {
          const accountId = req.params.accountId!;
          if (!UUID.test(accountId)) return failure(400, 'accountId must be a UUID');
          const body = req.body as { shareWithTeamKeys?: unknown } | undefined;
          const keys = body && typeof body === 'object' ? body.shareWithTeamKeys : undefined;
          if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))
            return failure(400, 'shareWithTeamKeys must be an array of strings');
          // The sharing endpoint takes no x-active-org: the account is the user's, in whichever organization.
          const account = [...organizations.values()]
            .flatMap((o) => o.accounts)
            .find((a) => a.id?.toLowerCase() === accountId.toLowerCase());
          if (!account) return failure(404, 'Account not found');
          account.sharedTeamKeys = [...(keys as string[])];
          return { status: 200 };
        },
      },
      {
        method: 'DELETE',
        path: '/api/v1/integrations/{integrationSlug}/actions/{actionName}',
        handle(req) {
          const slug = req.params.integrationSlug!;
          const actionName = req.params.actionName!;
          if (!SLUG.test(slug)) return failure(400, 'Invalid integration slug');
          const found = activeOrganization(req);
          if (found.error) return found.error;
          const { org } = found;
          if (!org.accounts.some((a) => a.integrationSlug === slug))
            return failure(404, `Integration ${slug} is not connected`);
          const inGroup = (a: UserAction) => a.group.name === slug;
          const dropIntegrationWhenEmpty = () => {
            if (!org.userActions.some(inGroup)) org.accounts = org.accounts.filter((a) => a.integrationSlug !== slug);
          };
          if (actionName === 'all') {
            const count = org.userActions.filter(inGroup).length;
            org.userActions = org.userActions.filter((a) => !inGroup(a));
            dropIntegrationWhenEmpty();
            return { status: 200, body: { success: true, message: `All actions disconnected for ${slug}`, count } };
          }
          const index = org.userActions.findIndex((a) => inGroup(a) && a.action.name === actionName);
          if (index < 0) return failure(404, `Action ${actionName} is not connected for ${slug}`);
          org.userActions.splice(index, 1);
          dropIntegrationWhenEmpty();
          return { status: 200, body: { success: true, message: `Action ${actionName} disconnected` } };
        },
      },
    ],
  };
}
