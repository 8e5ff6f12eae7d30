import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where `npm run dev` and `npm run sandbox` keep this checkout's demo API key (gitignored). */
export const LOCAL_DEMO_KEY_FILE = '.junction/demo-key';

export const randomDemoKey = (prefix: string): string => `${prefix}_${randomBytes(18).toString('base64url')}`;

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
