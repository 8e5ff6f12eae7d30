import { createHash } from 'node:crypto';
import { BadUserInputError } from './errors.js';
import { VENDORS, type Vendor } from './models.js';

/**
 * Keyset cursors of paged reads: a position in the order vendor × configured
 * organization × connection key, so a walk resumes after the last item it was
 * given however many connections were added or removed since (no duplicate,
 * no gap). Opaque to clients; bound to the tenant and the list they came from.
 */

export type PagedList = 'connections' | 'organizations';

export interface PagePosition {
  readonly vendor: Vendor;
  readonly organizationId: string;
  /** The organization's index in the tenant's configuration when the cursor was made: where to resume if it is gone. */
  readonly organizationPosition: number;
  /** The last connection key given of this organization; null: the whole organization was walked (or an organization list). */
  readonly key: string | null;
}

export const MAX_PAGE_SIZE = 500;
/** A page when `after` is sent without `first`. */
export const DEFAULT_PAGE_SIZE = 50;

const FORMAT = 1;
const LIST_TAG: Readonly<Record<PagedList, string>> = { connections: 'c', organizations: 'o' };
/** Longer than any cursor Junction makes (ids and keys are bounded by the vendors' formats and the input policy). */
const MAX_CURSOR_LENGTH = 1024;

/** Private: a short tag of the tenant, so another tenant's cursor is refused as such rather than misread. */
const tenantTagCache = new Map<string, string>();
function tenantTag(tenantId: string): string {
  let tag = tenantTagCache.get(tenantId);
  if (tag === undefined) {
    tag = createHash('sha256').update(tenantId).digest('base64url').slice(0, 11);
    tenantTagCache.set(tenantId, tag);
  }
  return tag;
}

export function encodeCursor(list: PagedList, tenantId: string, position: PagePosition): string {
  const { vendor, organizationId, organizationPosition, key } = position;
  const fields = [FORMAT, LIST_TAG[list], tenantTag(tenantId), vendor, organizationId, organizationPosition, key];
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

/** The position a cursor names; BAD_USER_INPUT when it is malformed, or another tenant's or another list's. */
export function decodeCursor(list: PagedList, tenantId: string, cursor: string, argumentName = 'after'): PagePosition {
  const refuse = (why: string) =>
    new BadUserInputError(`Argument "${argumentName}" ${why}`, { argumentName: argumentName });
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw refuse('is not a cursor Junction handed out');
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not a cursor Junction handed out');
  }
  if (!Array.isArray(fields) || fields.length !== 7 || fields[0] !== FORMAT)
    throw refuse('is not a cursor Junction handed out');
  const [, listTag, tag, vendor, organizationId, organizationPosition, key] = fields as unknown[];
  if (listTag !== LIST_TAG[list]) throw refuse(`is a cursor of another list, not of ${list}`);
  if (tag !== tenantTag(tenantId)) throw refuse("is another tenant's cursor");
  const wellFormed =
    typeof vendor === 'string' &&
    (VENDORS as readonly string[]).includes(vendor) &&
    typeof organizationId === 'string' &&
    organizationId.length > 0 &&
    Number.isSafeInteger(organizationPosition) &&
    (organizationPosition as number) >= 0 &&
    (key === null || typeof key === 'string');
  if (!wellFormed) throw refuse('is not a cursor Junction handed out');
  return { vendor: vendor as Vendor, organizationId, organizationPosition: organizationPosition as number, key };
}

/** `first`, checked (1 to 500) before any vendor call. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw new BadUserInputError(`Argument "first" must be between 1 and ${MAX_PAGE_SIZE}`, { argumentName: 'first' });
  return size;
}
