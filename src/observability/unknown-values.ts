import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Vendor } from '../domain/models.js';
import { UNKNOWN_VALUE_CHANNEL, type UnknownVendorValue } from '../vendors/unknown-values.js';
import type { Logger } from './logger.js';

/** Distinct values remembered per gateway; past it one line says so and further new values go unreported. */
const MAX_DISTINCT = 1_000;
/** Longest value quoted in a log line: vendor text, so bounded. */
const MAX_LOGGED_LENGTH = 80;

/**
 * Logs and counts each enum value a vendor sent that its contract does not
 * list, once per vendor, field and value (per gateway instance, for its life).
 * Returns the unsubscribe function.
 */
export function watchUnknownValues(logger: Logger, count: (vendor: Vendor, field: string) => void): () => void {
  const seen = new Set<string>();
  let saturated = false;
  const onMessage = (message: unknown) => {
    const { vendor, field, value } = message as UnknownVendorValue;
    const id = `${vendor}\u0000${field}\u0000${value}`;
    if (seen.has(id)) return;
    if (seen.size >= MAX_DISTINCT) {
      if (!saturated)
        logger.warn({ vendor, field }, 'more unknown vendor values than Junction remembers; no longer logged');
      saturated = true;
      return;
    }
    seen.add(id);
    count(vendor, field);
    logger.warn(
      { vendor, field, value: value.slice(0, MAX_LOGGED_LENGTH) },
      'vendor sent a value its contract does not list; kept as is',
    );
  };
  subscribe(UNKNOWN_VALUE_CHANNEL, onMessage);
  return () => void unsubscribe(UNKNOWN_VALUE_CHANNEL, onMessage);
}
