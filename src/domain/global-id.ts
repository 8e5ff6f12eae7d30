import { z } from 'zod';
import { BadUserInputError } from './errors.js';
import { VENDORS, type Vendor } from './models.js';

/**
 * Opaque global IDs. An ID is base64url of a JSON array
 * `["j1", typename, vendor, organizationId, ...keys]`: enough to route any
 * query or mutation to the right vendor and organization without a lookup.
 * The prefix versions the format. IDs are not secrets and not signatures:
 * access is checked against the tenant's configuration on every use.
 */
const NODE_TYPENAMES = ['Organization', 'Connection', 'Provider', 'Action'] as const;
type NodeTypename = (typeof NODE_TYPENAMES)[number];

export interface GlobalId {
  readonly typename: NodeTypename;
  readonly vendor: Vendor;
  /** Native organization id for Organization/Connection; the scope organization for Provider/Action. */
  readonly organizationId: string;
  /** Type-specific native keys: [] for Organization, [connectionKey], [providerSlug], [providerSlug, actionName]. */
  readonly keys: readonly string[];
}

const FORMAT = 'j1';
const MAX_ID_LENGTH = 1024;
const ARITY: Record<NodeTypename, number> = { Organization: 0, Connection: 1, Provider: 1, Action: 2 };

const Part = z.string().min(1).max(400);
const Encoded = z.tuple([z.literal(FORMAT), z.enum(NODE_TYPENAMES), z.enum(VENDORS), Part], Part);

export function encodeGlobalId(id: GlobalId): string {
  return Buffer.from(JSON.stringify([FORMAT, id.typename, id.vendor, id.organizationId, ...id.keys])).toString(
    'base64url',
  );
}

/** Decodes any global ID; throws BAD_USER_INPUT when it is not one Junction could have issued. */
export function decodeGlobalId(id: string, argumentName = 'id'): GlobalId {
  const invalid = () =>
    new BadUserInputError(`Argument "${argumentName}" is not a valid Junction ID`, { argumentName });
  if (id.length === 0 || id.length > MAX_ID_LENGTH || !/^[A-Za-z0-9_-]+$/.test(id)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = Encoded.safeParse(json);
  if (!parsed.success) throw invalid();
  const [, typename, vendor, organizationId, ...keys] = parsed.data;
  if (keys.length !== ARITY[typename]) throw invalid();
  return { typename, vendor, organizationId, keys };
}

/** Decodes an ID that must be of one type (e.g. a mutation's `connectionId`). */
export function decodeGlobalIdOf(typename: NodeTypename, id: string, argumentName: string): GlobalId {
  const decoded = decodeGlobalId(id, argumentName);
  if (decoded.typename !== typename) {
    throw new BadUserInputError(
      `Argument "${argumentName}" must be the ID of a ${typename}, got one of a ${decoded.typename}`,
      {
        argumentName,
      },
    );
  }
  return decoded;
}

export const organizationGlobalId = (vendor: Vendor, organizationId: string) =>
  encodeGlobalId({ typename: 'Organization', vendor, organizationId, keys: [] });
