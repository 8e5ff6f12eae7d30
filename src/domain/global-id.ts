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
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeGlobalId(id: GlobalId): string {
  const header = headerOf(id.typename, id.vendor);
  const { organizationId, keys } = id;
  if (keys.length === 0) return encodeNode(header, organizationId, 0, '', '');
  if (keys.length === 1) return encodeNode(header, organizationId, 1, keys[0]!, '');
  if (keys.length === 2) return encodeNode(header, organizationId, 2, keys[0]!, keys[1]!);
  return packParts(header, [organizationId, ...keys]);
}

export const organizationGlobalId = (vendor: Vendor, organizationId: string) =>
  encodeNode(headerOf('Organization', vendor), organizationId, 0, '', '');

/** A connection's ID, without the GlobalId object and keys array encodeGlobalId takes (one per connection listed). */
export const connectionGlobalId = (vendor: Vendor, organizationId: string, key: string) =>
  encodeNode(headerOf('Connection', vendor), organizationId, 1, key, '');

const headerOf = (typename: NodeTypename, vendor: Vendor) =>
  COMPACT_MARK | (NODE_TYPENAMES.indexOf(typename) << 3) | VENDORS.indexOf(vendor);

/**
 * The header, the organization and up to two keys, written into one buffer and encoded once: a UUID
 * organization's 17 bytes (tag and UUID) are copied rather than checked and packed again for each connection.
 */
function encodeNode(header: number, organizationId: string, count: 0 | 1 | 2, key0: string, key1: string): string {
  const organization = packedOrganization(organizationId);
  if (organization !== undefined) {
    let at = 1 + UUID_PART_BYTES;
    // Keys of any length fit once the buffer is big enough; a rare long one takes the general path.
    if (count > 0 && (at = writePart(scratch, at, key0)) > 0 && count > 1) at = writePart(scratch, at, key1);
    if (at > 0) {
      scratch[0] = header;
      scratch.set(organization, 1);
      return scratch.toString('base64url', 0, at);
    }
  }
  return packParts(
    header,
    count === 0 ? [organizationId] : count === 1 ? [organizationId, key0] : [organizationId, key0, key1],
  );
}

/** A UUID part as it is packed: its tag, then its 16 bytes. */
const UUID_PART_BYTES = 1 + UUID_BYTES;

/**
 * The last organization packed (tag and bytes), and whether it was a canonical UUID. The IDs of one list's
 * connections are made one after another and share their organization: a compare of the id strings finds it,
 * where a map of every organization seen (thousands of keys, each a fresh string from the vendor's body) cost a hash
 * and a cache miss per connection.
 */
const lastOrganization = Buffer.alloc(UUID_PART_BYTES, UUID_TAG);
let lastOrganizationId: string | undefined;
let lastOrganizationPacks = false;

/** An organization id as a packed UUID part, or undefined when it is not a canonical UUID. */
function packedOrganization(organizationId: string): Buffer | undefined {
  if (organizationId !== lastOrganizationId) {
    lastOrganizationPacks = writeCanonicalUuid(lastOrganization, 1, organizationId) > 0;
    lastOrganizationId = organizationId;
  }
  return lastOrganizationPacks ? lastOrganization : undefined;
}

/** Writes one part (a packed UUID or length-prefixed UTF-8) at `at`; the index after it, or -1 when it may not fit. */
function writePart(bytes: Buffer, at: number, part: string): number {
  const afterUuid = writeCanonicalUuid(bytes, at + 1, part);
  if (afterUuid > 0) {
    bytes[at] = UUID_TAG;
    return afterUuid;
  }
  // UTF-8 is at most 3 bytes per UTF-16 unit; the length's varint at most 3 bytes for what is checked here.
  if (at + 3 + part.length * 3 > bytes.length) return -1;
  const length = Buffer.byteLength(part, 'utf8');
  at = writeVarint(bytes, at, length);
  return at + bytes.write(part, at, 'utf8');
}

/** Reused for every ID that fits (IDs are short); a longer one gets its own buffer. */
const scratch = Buffer.allocUnsafe(512);

/** base64url of the header byte followed by each part, a packed UUID or length-prefixed UTF-8 (any length). */
function packParts(header: number, parts: readonly string[]): string {
  // A part's UTF-8 length, or -1 for a UUID packed into 16 bytes.
  const lengths = parts.map((part) => (isCanonicalUuid(part) ? -1 : Buffer.byteLength(part, 'utf8')));
  let size = 1;
  for (const length of lengths) size += length < 0 ? UUID_PART_BYTES : varintLength(length) + length;
  const bytes = size <= scratch.length ? scratch : Buffer.allocUnsafe(size);
  let at = 0;
  bytes[at++] = header;
  parts.forEach((part, i) => {
    const length = lengths[i]!;
    if (length < 0) {
      bytes[at++] = UUID_TAG;
      at = writeUuid(bytes, at, part);
    } else {
      at = writeVarint(bytes, at, length);
      at += bytes.write(part, at, 'utf8');
    }
  });
  return bytes.toString('base64url', 0, at);
}

/**
 * Only the canonical lowercase form is packed: decoding must give back the very string the vendor uses.
 * A loop rather than a regular expression: it runs for every part of every ID handed out.
 */
function isCanonicalUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i += 1) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (hexValue(c) < 0) return false;
  }
  return true;
}

const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

/** Writes a canonical UUID's 16 bytes at `at`; returns the index after them. */
function writeUuid(bytes: Buffer, at: number, uuid: string): number {
  for (let i = 0; i < 36; i += 2) {
    if (uuid.charCodeAt(i) === 0x2d) i += 1;
    bytes[at++] = (hexValue(uuid.charCodeAt(i)) << 4) | hexValue(uuid.charCodeAt(i + 1));
  }
  return at;
}

/**
 * Checks and packs a UUID in one pass (a table per character, not a test and then a second walk): the
 * index after its 16 bytes, or -1 when `s` is not a canonical UUID (the bytes written so far mean nothing then).
 */
function writeCanonicalUuid(bytes: Buffer, at: number, s: string): number {
  if (s.length !== 36) return -1;
  if (s.charCodeAt(8) !== 0x2d || s.charCodeAt(13) !== 0x2d || s.charCodeAt(18) !== 0x2d || s.charCodeAt(23) !== 0x2d)
    return -1;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i += 1;
    const high = hexDigit(s.charCodeAt(i));
    const low = hexDigit(s.charCodeAt(i + 1));
    if (high < 0 || low < 0) return -1;
    bytes[at++] = (high << 4) | low;
  }
  return at;
}

const HEX_DIGITS = Int8Array.from({ length: 128 }, (_, c) => hexValue(c));
const hexDigit = (c: number) => (c < 128 ? HEX_DIGITS[c]! : -1);

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

const varintLength = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x20_0000 ? 3 : n < 0x1000_0000 ? 4 : 5);

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
