import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Redaction is a second line of defence: credentials are
 * Secret objects that print as "[redacted]" anyway, but a header map copied
 * into a log line by mistake is scrubbed here too.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.authorization',
  '*["x-api-key"]',
  // Forwarded user credentials (src/server/forwarded-credentials.ts).
  'req.headers["x-junction-supervity-token"]',
  'req.headers["x-junction-projectmanager-token"]',
  '*["x-junction-supervity-token"]',
  '*["x-junction-projectmanager-token"]',
  '*.apiKey',
  '*.token',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'junction' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination as pino.DestinationStream | undefined,
  );
}
