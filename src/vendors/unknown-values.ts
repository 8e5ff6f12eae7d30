import { channel } from 'node:diagnostics_channel';
import type { Vendor } from '../domain/models.js';

/**
 * Tolerant reading: vendors add providers and states without notice, so an
 * enum value a contract does not list is kept (mapped to UNKNOWN where a
 * unified value is needed) rather than failing the read. Each such value is
 * published here; the gateway subscribes to log and count it once per value
 * (src/observability/unknown-values.ts). A diagnostics channel keeps the
 * mapping code free of loggers and metrics, and costs nothing unsubscribed.
 */

export interface UnknownVendorValue {
  readonly vendor: Vendor;
  /** The vendor's field, in the vendor's words (`integration id`, `connection state`…). */
  readonly field: string;
  readonly value: string;
}

export const UNKNOWN_VALUE_CHANNEL = 'junction:vendor:unknown-value';
const unknownValues = channel(UNKNOWN_VALUE_CHANNEL);

/** Reports a value the vendor's contract does not list. Returns the value, for use inside mappings. */
export function noteUnknownValue(vendor: Vendor, field: string, value: string): string {
  if (unknownValues.hasSubscribers) unknownValues.publish({ vendor, field, value } satisfies UnknownVendorValue);
  return value;
}
