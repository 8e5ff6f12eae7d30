import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com), with the
 * specification's reference library rather than our own HMAC code: the
 * signed content is `<webhook-id>.<webhook-timestamp>.<body>`, HMAC-SHA256
 * with the endpoint's secret, sent as `webhook-signature: v1,<base64>`.
 */

/** A new endpoint secret: `whsec_` and the base64 of 32 random bytes (the specification asks for 24 to 64). */
export const generateSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The headers of one attempt: `webhook-id` is the event id, the same on every attempt, so receivers can deduplicate. */
export function signedHeaders(
  secret: string,
  eventId: string,
  timestampMs: number,
  body: string,
): Record<string, string> {
  const timestamp = new Date(timestampMs);
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(timestampMs / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, timestamp, body),
  };
}
