/**
 * Vendor text is passed on by design (a rejection's validation message), and
 * a vendor may echo what it received, credentials included. Every response
 * body is therefore scrubbed of the secret values held for the request before
 * it is parsed: nothing downstream (errors, userErrors, vendorErrors, cached
 * reads, log lines) ever sees them.
 *
 * The scrub works on the raw JSON text, replacing each secret as the body
 * spells it inside a string: verbatim, JSON-escaped, or with "/" escaped as
 * PHP and others write it. The check is a few `includes` per response.
 */

export type ScrubText = (text: string) => string;

export const SCRUBBED = '[redacted]';

/** Shorter values are not scrubbed: they would mangle ordinary text, and config validation refuses them anyway. */
const MIN_SECRET_LENGTH = 8;

/** Builds the scrub for a set of secret values (duplicates and short values ignored). */
export function createSecretScrub(secrets: Iterable<string>): ScrubText {
  const spellings = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    const escaped = JSON.stringify(secret).slice(1, -1);
    spellings.add(escaped);
    if (escaped.includes('/')) spellings.add(escaped.replaceAll('/', '\\/'));
  }
  // Longest first: a secret that contains another ("Bearer <token>") goes whole.
  const ordered = [...spellings].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => {
    let scrubbed = text;
    for (const spelling of ordered) if (scrubbed.includes(spelling)) scrubbed = scrubbed.replaceAll(spelling, SCRUBBED);
    return scrubbed;
  };
}
