import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type PersistedQueryOptions } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers/index.js';
import type { Logger } from '../observability/logger.js';
import { compiledExecution } from './compiled-execution.js';
import type { GatewayContext } from '../resolvers/context.js';
import { createFormatError } from './format-error.js';
import { operationLimitRules, type OperationLimits } from './operation-limits.js';
import { knownOperationTypesRule, subscriptionsElsewhereRule } from './operation-types.js';
import { mergeRequestPlugins, type RequestPlugin } from './request-plugins.js';

/** schema/ is the single source of truth; it sits two levels above this file in src/ and in dist/. */
export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema');

export function loadTypeDefs(dir = SCHEMA_DIR): string {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

/** The executable schema: schema/'s SDL with the resolvers. Apollo and the subscription transports serve the same one. */
export const createGatewaySchema = (typeDefs: string): GraphQLSchema => makeExecutableSchema({ typeDefs, resolvers });

export interface ApolloOptions {
  readonly logger: Logger;
  /** The SDL of schema/ (loadTypeDefs()), read once by the caller. */
  readonly typeDefs: string;
  /** The executable schema, when the caller built it already (createGatewaySchema(typeDefs)). */
  readonly schema?: GraphQLSchema;
  readonly introspection: boolean;
  /** APQ options (cache and TTL), or false in safelist mode; see persisted-operations.ts. */
  readonly persistedQueries?: PersistedQueryOptions | false;
  /** Operation limits; Apollo's (permissive) defaults when omitted. */
  readonly limits?: OperationLimits;
  /** Further plugins (operation metrics, scopes, cost, audit): run as one Apollo plugin (request-plugins.ts). */
  readonly plugins?: readonly RequestPlugin[];
}

export function createApolloServer({
  logger,
  typeDefs,
  schema = createGatewaySchema(typeDefs),
  introspection,
  persistedQueries,
  limits,
  plugins = [],
}: ApolloOptions): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    // The schema from schema/ and the resolvers, executed compiled (compiled-execution.ts).
    gateway: compiledExecution(schema),
    introspection,
    ...(persistedQueries !== undefined && { persistedQueries }),
    includeStacktraceInErrorResponses: false,
    // Without Apollo's trailing newline: the route writes it as a byte (graphql-route.ts), so the answer is never
    // joined to it as a second string that encoding it would first copy whole.
    stringifyResult: (result) => JSON.stringify(result),
    formatError: createFormatError(logger, limits),
    // Operation limits (src/server/operation-limits.ts): rejected while validating, HTTP 400, no resolver runs.
    validationRules: [
      knownOperationTypesRule,
      subscriptionsElsewhereRule,
      ...(limits ? operationLimitRules(limits) : []),
    ],
    ...(limits && {
      parseOptions: { maxTokens: limits.maxTokens },
      allowBatchedHttpRequests: limits.batching,
    }),
    // No "Did you mean …?" hints when the schema is not meant to be discoverable.
    hideSchemaDetailsFromClientErrors: !introspection,
    csrfPrevention: true,
    // src/main.ts owns SIGINT/SIGTERM (graceful close of the HTTP server first); Apollo's own handlers made shutdown hang.
    stopOnTerminationSignals: false,
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
    plugins: [
      // Apollo's cache-control plugin hooks every field of every response (a visible share of the gateway's CPU)
      // only to compute hints Junction never sets; its one visible effect, `no-store`, stays.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing pages load from a CDN; Junction serves its own IDE (src/server/ide/).
      ApolloServerPluginLandingPageDisabled(),
      // Inline traces are for federated subgraphs, which this schema is not: Apollo's plugin would only be asked, per request, to do nothing.
      ApolloServerPluginInlineTraceDisabled(),
      mergeRequestPlugins([
        {
          requestDidStart: async () => ({
            willSendResponse: async ({ response }) => void response.http.headers.set('cache-control', 'no-store'),
          }),
        },
        ...plugins,
      ]),
    ],
  });
}
