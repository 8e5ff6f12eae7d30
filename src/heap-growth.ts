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

/**
 * The young generation's semi-space cap, in MB: V8's own default on Node 20
 * and 22. Node 24's V8 raised it to 64 MB (a 128 MB young generation, which a
 * gateway under load fills: its RSS peaked at 274–287 MB instead of 198–201 MB
 * in the bench's cold scenarios), so `npm start` and the image pin it on
 * node's command line; V8 sizes the young generation once, before any of our
 * code runs, so it cannot be set from here. 32 MB would spend 7–14 % less
 * CPU on a cold list request, but puts the cold gateway's RSS peak at 186–218
 * MB, at or past its 200 MB budget; V8 rounds the cap up to a power of two, so
 * there is nothing in between.
 */
export const MAX_SEMI_SPACE_MB = 16;

/**
 * The environment `npm start`, the image and the bench's gateways start node
 * with (tested to agree): glibc reads it once, as the process starts.
 *
 * Why: glibc gives threads that allocate at once (V8's collector and compiler
 * threads, libuv's pool) arenas of their own, up to 8 per core, and each keeps
 * what was freed in it; two arenas hold 10–15 MB less under load.
 */
export const NODE_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/**
 * Off: V8's allocation-site pretenuring, which allocates straight into the old generation the objects
 * of a literal whose earlier objects mostly survived a young collection.
 *
 * Why: a request's objects survive one when it runs during their request, which under load is often
 * enough for V8 to tenure the literals of a vendor body's parse, its validation and the answer's
 * items; once old, each of them holds what the request allocates next (their strings, the models)
 * through every young collection until a full one, so the next objects survive too and the site stays
 * tenured. With it off, a cold list with one request in flight promotes 0.2 % of what it allocates
 * instead of 11 %, and with Apollo's per-request accessors gone (patches/) the cold list spends about 15 %
 * less CPU under the bench's load. V8 reads it at each collection, so it is set at start-up too (checked on
 * Node 20; Node 24 takes it from the command line); node's own flag, when given, wins.
 */
export const NO_PRETENURING_FLAG = '--no-allocation-site-pretenuring';

/** Node's command-line flags `npm start`, the image and the bench's gateways run with (tested to agree). */
export const NODE_HEAP_FLAGS: readonly string[] = [
  `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
  `--max-semi-space-size=${MAX_SEMI_SPACE_MB}`,
  NO_PRETENURING_FLAG,
];

const nodeFlagsOfProcess = (): string[] => [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const given = (flags: readonly string[], name: string) =>
  flags.some((flag) => new RegExp(`^--${name.replaceAll('-', '[-_]')}\\b`).test(flag));

export function boundHeapGrowth(
  percent: number = HEAP_GROWING_PERCENT,
  nodeFlags: readonly string[] = nodeFlagsOfProcess(),
): boolean {
  if (given(nodeFlags, 'heap-growing-percent')) return false;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}

/** Turns V8's allocation-site pretenuring off (NO_PRETENURING_FLAG) unless node was told either way; true when it did. */
export function stopPretenuring(nodeFlags: readonly string[] = nodeFlagsOfProcess()): boolean {
  if (given(nodeFlags, 'allocation-site-pretenuring') || given(nodeFlags, 'no-allocation-site-pretenuring'))
    return false;
  setFlagsFromString(NO_PRETENURING_FLAG);
  return true;
}

/** V8's own factor by which a young generation whose survivors outgrow it doubles. */
const DEFAULT_SEMI_SPACE_GROWTH_FACTOR = 2;

/**
 * Keeps the young generation at its initial size (1 MB semi-spaces) until the
 * returned function is called, when it may grow again as V8 sees fit.
 *
 * Why: start-up (modules, schema, config) is one burst of allocations that
 * all survive, and V8 answers it by growing the young generation to its
 * maximum (16 MB semi-spaces on Node 20 and 22: 32 MB of RSS), which it then
 * keeps, empty, for as long as the gateway stays idle. Held, what start-up
 * keeps is promoted to the old generation where it belongs, and an idle
 * gateway holds 30 MB less; under load the young generation grows as before.
 * V8 reads the factor at each young collection, on Node 20, 22 and 24 alike;
 * node's own `--semi-space-growth-factor`, when given, is left alone.
 */
export function holdYoungGeneration(nodeFlags: readonly string[] = nodeFlagsOfProcess()): () => void {
  if (given(nodeFlags, 'semi-space-growth-factor')) return () => {};
  setFlagsFromString('--semi-space-growth-factor=1');
  return () => setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_SEMI_SPACE_GROWTH_FACTOR}`);
}
