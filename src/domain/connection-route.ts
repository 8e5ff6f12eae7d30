import type { VendorAdapter } from '../vendors/port.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import type { GlobalId } from './global-id.js';
import { textInputProblem } from './input-policy.js';
import type { ConnectionModel } from './models.js';
import { adapterForId, type TenantScope } from './tenant-scope.js';

/** A connection ID routed to the adapter that owns it, its key checked: all that is known before a vendor call. */
interface ConnectionRoute {
  readonly adapter: VendorAdapter;
  readonly organizationId: string;
  readonly key: string;
  /** The ID as the caller sent it, for NOT_FOUND. */
  readonly id: string;
}

/** The longest connection key inside a global ID (global-id.ts allows 400 per part). */
const MAX_KEY_LENGTH = 400;

/**
 * NOT_FOUND when the tenant has no such vendor or organization; BAD_USER_INPUT
 * when the key cannot be one of the vendor's. Calls no vendor.
 */
export function routeConnection(scope: TenantScope, gid: GlobalId, id: string, argumentName: string): ConnectionRoute {
  const adapter = adapterForId(scope, gid, id);
  const key = gid.keys[0]!;
  // Keys are vendor text (an e-mail inside a Supervity key): the input policy, at the length IDs allow.
  const problem = textInputProblem(key, MAX_KEY_LENGTH) ?? adapter.checkConnectionKey(key);
  if (problem)
    throw new BadUserInputError(`Argument "${argumentName}" is not a valid connection ID: ${problem}`, {
      argumentName,
    });
  return { adapter, organizationId: gid.organizationId, key, id };
}

/** The routed connection as the vendor has it now; NOT_FOUND when the vendor no longer lists it. */
export async function loadConnection(route: ConnectionRoute): Promise<ConnectionModel> {
  const connection = await route.adapter.getConnection(route.organizationId, route.key);
  if (!connection) throw new NotFoundError('Connection', route.id);
  return connection;
}
