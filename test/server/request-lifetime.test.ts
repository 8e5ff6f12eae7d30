import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NODE_HEAP_FLAGS } from '../../src/heap-growth.js';

/**
 * What an answered request leaves behind must go with the next young-generation collection. When
 * anything in the old generation points at a request's objects (a per-request object used as a prototype,
 * an object literal with per-request accessors, and on Node 20 a literal that adds members after a
 * spread), V8 keeps the whole request through every young collection until a full one, copying and
 * promoting it: a loaded gateway spent more on that than on anything else. Apollo's gateway path made such
 * a literal for every request until patched (patches/@apollo+server+*.patch). The probe
 * (test/helpers/request-lifetime-probe.ts) runs in a fresh process with the gateway's node flags, as
 * the gateway does: a test worker's heap carries what earlier files left in it.
 */

const PROBE = fileURLToPath(new URL('../helpers/request-lifetime-probe.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('an answered request', () => {
  it('is gone after young-generation collections, with no full collection in between', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...NODE_HEAP_FLAGS, '--expose-gc', '--import', 'tsx', PROBE],
      { cwd: ROOT, timeout: 60_000 },
    );
    const probe = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      requests: number;
      keptAfterYoungCollections: number;
      heldNow: number;
    };
    expect(probe.requests).toBe(40);
    // A request a young collection happened to run during may have been promoted with good reason; a few at most.
    expect(probe.keptAfterYoungCollections).toBeLessThan(4);
    // The probe sees markers at all: one made and still held is counted.
    expect(probe.heldNow).toBeGreaterThan(0.5);
  });
});
