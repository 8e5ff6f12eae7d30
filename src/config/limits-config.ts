import { z } from 'zod';
import { intFrom } from './numbers.js';

/**
 * Operation limits (src/server/operation-limits.ts). Stock Apollo Server accepts
 * thousands of aliases and hundreds of levels of nesting; these defaults sit
 * between graphql-armor's (depth 6, aliases 15, tokens 1000, cost 5000) and
 * Apollo Router's parser limits (15000 tokens), leaving room for dashboards and
 * for introspection (which depth and cost do not count).
 */
const LIMIT_DEFAULTS = {
  maxBodyBytes: 1_000_000,
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 30,
  maxDestructiveFields: 1,
  maxTokens: 5000,
  maxCost: 5000,
  batching: false,
  maxBatchOperations: 10,
} as const;

export const limitsSchema = z
  .object({
    /** Largest request body, in bytes (413 above it). */
    maxBodyBytes: intFrom(1).default(LIMIT_DEFAULTS.maxBodyBytes),
    /** Deepest field nesting of an operation (fragments expanded, introspection not counted). */
    maxDepth: intFrom(1).default(LIMIT_DEFAULTS.maxDepth),
    /** Aliases in one operation. */
    maxAliases: intFrom(0).default(LIMIT_DEFAULTS.maxAliases),
    /** Top-level fields of one operation: each can fan out to every vendor (30: a dashboard of 25 aliased lookups fits). */
    maxRootFields: intFrom(1).default(LIMIT_DEFAULTS.maxRootFields),
    /** Mutation fields (each deletes, disconnects or replaces something at a vendor) in one operation. */
    maxDestructiveFields: intFrom(1).default(LIMIT_DEFAULTS.maxDestructiveFields),
    /** Lexical tokens of one document; parsing stops there. */
    maxTokens: intFrom(1).default(LIMIT_DEFAULTS.maxTokens),
    /** graphql-armor's static cost (objects 2, scalars 1, ×1.5 per level). */
    maxCost: intFrom(1).default(LIMIT_DEFAULTS.maxCost),
    /** Accept a JSON array of operations in one POST (off by default, as in Apollo Server and Router). */
    batching: z.boolean().default(LIMIT_DEFAULTS.batching),
    /** Operations in one batch, when batching is on. */
    maxBatchOperations: intFrom(1).default(LIMIT_DEFAULTS.maxBatchOperations),
  })
  .strict()
  .default(LIMIT_DEFAULTS);
