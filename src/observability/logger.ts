import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Redaction is a second line of defence: credentials are
 * Secret objects that print as "[redacted]" anyway, but a header map copied
 * into a log line by mistake is scrubbed here too.
 *
 * The scrub is a key-name check (below) rather than pino's `redact` paths:
 * those cost several times the log line itself, and they only see the depths
 * they name.
 */

/** Keys whose values never reach a log line, at any depth, any letter case. */
const REDACTED_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'apikey',
  'token',
  'accesstoken',
  'refreshtoken',
  'password',
  'secret',
]);
/** Forwarded user credentials, whatever the vendor (src/vendors/registration.ts names them so). */
const FORWARDED_CREDENTIAL_KEY = /^x-junction-[a-z0-9-]+-token$/;
/** Keys already judged: every log line names the same few, each judged once. Bounded, as keys may come from data. */
const judged = new Map<string, boolean>();
const JUDGED_MAX = 4_096;
const isRedactedKey = (key: string) => {
  let redacted = judged.get(key);
  if (redacted === undefined) {
    const lower = key.toLowerCase();
    redacted = REDACTED_KEYS.has(lower) || FORWARDED_CREDENTIAL_KEY.test(lower);
    if (judged.size < JUDGED_MAX) judged.set(key, redacted);
  }
  return redacted;
};
const CENSOR = '[redacted]';
/** Deeper than any header map a log call could carry (`req.headers.x` is depth 3). */
const MAX_DEPTH = 6;

/** A copy of `value` with every REDACTED_KEYS value censored; `value` itself when there is none (no allocation). */
function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const scrubbed = redactSecrets(item, depth + 1);
      if (scrubbed !== item) (copy ??= [...value])[index] = scrubbed;
    });
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  // Plain objects and errors are walked; anything else (Buffers, Secrets, class instances) keeps its own serialization.
  if (prototype !== Object.prototype && prototype !== null && !(value instanceof Error)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const scrubbed = isRedactedKey(key) ? CENSOR : redactSecrets(item, depth + 1);
    if (scrubbed !== item) {
      // An error stays an error (same class, message and stack) for pino's error serializer.
      copy ??=
        value instanceof Error
          ? (Object.assign(Object.create(prototype as object) as object, value, {
              message: value.message,
              stack: value.stack,
            }) as Record<string, unknown>)
          : { ...(value as Record<string, unknown>) };
      copy[key] = scrubbed;
    }
  }
  return copy ?? value;
}

/**
 * Without a destination, lines go to stdout synchronously (pino's blocking mode): a line is written
 * when it is logged, so none is lost if the process dies. Pino's asynchronous mode measures and copies
 * its growing buffer again for every line while a write is pending, which costs more under load.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'junction' },
      formatters: {
        log: (object) => redactSecrets(object) as Record<string, unknown>,
        bindings: (bindings) => redactSecrets(bindings) as Record<string, unknown>,
      },
    },
    (destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true }),
  );
}
