import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived its last full
 * collection before collecting again, in percent (node's own
 * `--heap-growing-percent`, when given, wins).
 *
 * Why: a loaded gateway's heap is mostly requests in flight, whose data dies
 * with them but is promoted to the old generation when a young collection
 * finds it alive; V8's default lets that garbage grow to about 4 × the live
 * size first. V8 reads the flag at each collection, so setting it at start-up
 * holds on Node 20 and 22; Node 24 freezes V8 flags once started, so `npm
 * start` and the image pass it on node's command line as well.
 */
export const HEAP_GROWING_PERCENT = 50;

export function boundHeapGrowth(
  percent: number = HEAP_GROWING_PERCENT,
  nodeFlags: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
): boolean {
  if (nodeFlags.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag))) return false;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
