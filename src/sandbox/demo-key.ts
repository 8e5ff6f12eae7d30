import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where `npm run dev` and `npm run sandbox` keep this checkout's demo API key (gitignored). */
export const LOCAL_DEMO_KEY_FILE = '.junction/demo-key';

export const randomDemoKey = (prefix: string): string => `${prefix}_${randomBytes(18).toString('base64url')}`;

/** The demo's roles: the demo key itself is `admin`; each other role has a key of its own. */
export const DEMO_ROLES = {
  admin: ['read', 'write', 'introspect', 'admin'],
  reader: ['read'],
  writer: ['read', 'write'],
  introspector: ['introspect'],
} as const;
export type DemoRole = keyof typeof DEMO_ROLES;

export interface DemoRoleKey {
  readonly role: DemoRole;
  readonly key: string;
  readonly scopes: readonly string[];
}

/**
 * One key per role, derived from the demo key (an HMAC, so a restart that keeps the demo key keeps them,
 * and a role's key does not give away the admin one).
 */
export function demoRoleKeys(demoKey: string): DemoRoleKey[] {
  return (Object.keys(DEMO_ROLES) as DemoRole[]).map((role) => ({
    role,
    scopes: DEMO_ROLES[role],
    key:
      role === 'admin'
        ? demoKey
        : `jk_demo_${role}_${createHmac('sha256', demoKey).update(role).digest('base64url').slice(0, 24)}`,
  }));
}

/**
 * The demo key stored at `path`, made (random, owner-only file) on first use: a reload
 * or a restart keeps the key a developer already pasted into curl or an IDE.
 */
export function persistedDemoKey(path: string, prefix = 'jk_demo'): string {
  const stored = readKey(path);
  if (stored) return stored;
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${randomDemoKey(prefix)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (the sandbox and `npm run dev` side by side) made it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = readKey(path);
  if (!key) throw new Error(`${path} holds no usable demo key: delete it to make a new one`);
  return key;
}

function readKey(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const key = text.trim();
  return /^[\x21-\x7e]{16,}$/.test(key) ? key : null;
}
