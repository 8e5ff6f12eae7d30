import { z } from 'zod';
import { BadUserInputError } from './errors.js';
import { VENDORS, type Vendor } from './models.js';

/**
 * Opaque global IDs, enough to route any query or mutation to the right
 * vendor and organization without a lookup. IDs are not secrets and not
 * signatures: access is checked against the tenant's configuration on every use.
 *
 * Junction hands out the compact form: base64url of one header byte
 * (0b100TTVVV: typename, vendor) followed by the organization id and the
 * type's keys, each either a UUID packed into 16 bytes (tag 0) or UTF-8 text
 * behind its byte length (a varint ≥ 1). A Leen connection's ID is 47
 * characters. IDs of the first form, base64url of the JSON array
 * `["j1", typename, vendor, organizationId, ...keys]`, keep resolving.
 */
const NODE_TYPENAMES = ['Organization', 'Connection', 'Provider', 'Action'] as const;
export type NodeTypename = (typeof NODE_TYPENAMES)[number];

export interface GlobalId {
  readonly typename: NodeTypename;
  readonly vendor: Vendor;
  /** Native organization id for Organization/Connection; the scope organization for Provider/Action. */
  readonly organizationId: string;
  /** Type-specific native keys: [] for Organization, [connectionKey], [providerSlug], [providerSlug, actionName]. */
  readonly keys: readonly string[];
}

const MAX_ID_LENGTH = 1024;
const MAX_PART_LENGTH = 400;
const ARITY: Record<NodeTypename, number> = { Organization: 0, Connection: 1, Provider: 1, Action: 2 };

const COMPACT_MARK = 0b1000_0000;
const UUID_TAG = 0;
const UUID_BYTES = 16;
/** Only the canonical lowercase form is packed: decoding must give back the very string the vendor uses. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeGlobalId(id: GlobalId): string {
  const parts = [id.organizationId, ...id.keys];
  const texts = parts.map((part) => (CANONICAL_UUID.test(part) ? null : Buffer.from(part, 'utf8')));
  let size = 1;
  for (const text of texts) size += text ? varintLength(text.length) + text.length : 1 + UUID_BYTES;
  const bytes = Buffer.allocUnsafe(size);
  bytes[0] = COMPACT_MARK | (NODE_TYPENAMES.indexOf(id.typename) << 3) | VENDORS.indexOf(id.vendor);
  let at = 1;
  texts.forEach((text, i) => {
    if (text) {
      at = writeVarint(bytes, at, text.length);
      at += text.copy(bytes, at);
    } else {
      bytes[at++] = UUID_TAG;
      at += bytes.write(parts[i]!.replaceAll('-', ''), at, 'hex');
    }
  });
  return bytes.toString('base64url');
}

/** Decodes any global ID; throws BAD_USER_INPUT when it is not one Junction could have issued. */
export function decodeGlobalId(id: string, argumentName = 'id'): GlobalId {
  const invalid = () =>
    new BadUserInputError(`Argument "${argumentName}" is not a valid Junction ID`, { argumentName });
  if (id.length === 0 || id.length > MAX_ID_LENGTH || !/^[A-Za-z0-9_-]+$/.test(id)) throw invalid();
  const bytes = Buffer.from(id, 'base64url');
  const decoded = bytes[0] === 0x5b /* "[" */ ? decodeJsonForm(bytes) : decodeCompact(bytes, id);
  if (!decoded) throw invalid();
  return decoded;
}

/** Two IDs of one node, in either form (a client may hold an ID of the first form and repeat it in the compact one). */
export function sameNode(a: GlobalId, b: GlobalId): boolean {
  return (
    a.typename === b.typename &&
    a.vendor === b.vendor &&
    a.organizationId === b.organizationId &&
    a.keys.length === b.keys.length &&
    a.keys.every((key, i) => key === b.keys[i])
  );
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

// ---------------------------------------------------------------- private

function decodeCompact(bytes: Buffer, id: string): GlobalId | null {
  const header = bytes[0];
  if (header === undefined || (header & 0b1110_0000) !== COMPACT_MARK) return null;
  const typename = NODE_TYPENAMES[(header >> 3) & 0b11];
  const vendor = VENDORS[header & 0b111];
  if (!typename || !vendor) return null;
  const parts: string[] = [];
  let at = 1;
  while (at < bytes.length) {
    const tag = readVarint(bytes, at);
    if (!tag) return null;
    at = tag.next;
    if (tag.value === UUID_TAG) {
      if (at + UUID_BYTES > bytes.length) return null;
      const hex = bytes.toString('hex', at, (at += UUID_BYTES));
      parts.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
    } else {
      if (at + tag.value > bytes.length) return null;
      let text: string;
      try {
        text = utf8.decode(bytes.subarray(at, (at += tag.value)));
      } catch {
        return null;
      }
      if (text.length > MAX_PART_LENGTH) return null;
      parts.push(text);
    }
  }
  const [organizationId, ...keys] = parts;
  if (organizationId === undefined || keys.length !== ARITY[typename]) return null;
  const decoded = { typename, vendor, organizationId, keys };
  // One node, one compact ID: base64url's spare bits and a text-encoded UUID do not make a second spelling.
  return encodeGlobalId(decoded) === id ? decoded : null;
}

const LEGACY_FORMAT = 'j1';
const LegacyPart = z.string().min(1).max(MAX_PART_LENGTH);
const Legacy = z.tuple([z.literal(LEGACY_FORMAT), z.enum(NODE_TYPENAMES), z.enum(VENDORS), LegacyPart], LegacyPart);

function decodeJsonForm(bytes: Buffer): GlobalId | null {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = Legacy.safeParse(json);
  if (!parsed.success) return null;
  const [, typename, vendor, organizationId, ...keys] = parsed.data;
  return keys.length === ARITY[typename] ? { typename, vendor, organizationId, keys } : null;
}

const varintLength = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : 3);

function writeVarint(bytes: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    bytes[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  bytes[at++] = n;
  return at;
}

function readVarint(bytes: Buffer, at: number): { value: number; next: number } | null {
  let value = 0;
  for (let shift = 0; shift < 21; shift += 7) {
    const byte = bytes[at++];
    if (byte === undefined) return null;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return { value, next: at };
  }
  return null;
}
