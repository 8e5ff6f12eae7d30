import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { z } from 'zod';

/**
 * A credential. It prints as "[redacted]" through every path a value can leak
 * by (template strings, JSON, util.inspect, pino), so a config object or an
 * error that carries one can be logged safely. Only `reveal()` gives the value:
 * where a request header or a signing key is built, and where config checks its form.
 */
export class Secret {
  readonly #value: string;
  #fingerprint: string | undefined;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  /**
   * A short one-way digest, to tell credentials apart without storing them: the
   * cache scope of a forwarded user token, so cached reads stay per user.
   */
  fingerprint(): string {
    // Asked by the response cache's key and again by the adapter's cache scope: hashed once.
    this.#fingerprint ??= createHash('sha256').update(this.#value).digest('hex').slice(0, 32);
    return this.#fingerprint;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

/**
 * A secret in the config: a literal string, or `{ "env": "NAME" }` to read it
 * from an environment variable at start-up (so config files hold no secrets).
 */
export const secretSchema = (env: NodeJS.ProcessEnv) =>
  z.union([z.string().min(1), z.object({ env: z.string().min(1) }).strict()]).transform((value, ctx) => {
    if (typeof value === 'string') return new Secret(value);
    const fromEnv = env[value.env];
    if (fromEnv === undefined || fromEnv === '') {
      ctx.addIssue({ code: 'custom', message: `environment variable ${value.env} is not set` });
      return z.NEVER;
    }
    return new Secret(fromEnv);
  });
