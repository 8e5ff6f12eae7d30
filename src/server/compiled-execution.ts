import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, printSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes operations with graphql-jit instead of graphql-js: each document
 * (per operation name) is compiled once into a JavaScript function, then run
 * for every request that sends it (from its second run; see COMPILE_ON_RUN). Apollo Server keeps everything else
 * (parsing, validation with Junction's limits, plugins, error formatting,
 * HTTP); its `gateway` option is its one supported place for another executor.
 *
 * Why: execution is the largest single cost of an uncached request, and a
 * compiled document runs in about half the time (`npm run bench`).
 */

/**
 * graphql-jit's errors leave `extensions` undefined when the thrown error had
 * none, where graphql-js (and so Apollo's error formatting) always has an
 * object; and its variable coercion errors lack the AST nodes Apollo
 * recognises them by (graphql-js's carry BAD_USER_INPUT). Rebuilt as
 * graphql-js errors then, with the same message, locations, path and original
 * error, and the code given.
 */
function asGraphQLError(error: GraphQLError, code: string | undefined): GraphQLError {
  if (error.extensions && (!code || error.extensions.code)) return error;
  const rebuilt = new GraphQLError(error.message, {
    ...(error.path && { path: error.path }),
    ...(error.originalError && { originalError: error.originalError }),
    ...(code && { extensions: { ...error.extensions, code } }),
  });
  return error.locations ? Object.assign(rebuilt, { locations: error.locations }) : rebuilt;
}

/** graphql-js's words for the same case; Apollo answers it 400, OPERATION_RESOLUTION_FAILURE. */
const unresolvedOperation = (name: string | undefined) =>
  new GraphQLError(
    name ? `Unknown operation named "${name}".` : 'Must provide operation name if query contains multiple operations.',
  );

type Compiled = CompiledQuery<Record<string, unknown>, Record<string, unknown>>;
type GatewayResult = Awaited<ReturnType<GatewayExecutor>>;
type CompiledResult = Awaited<ReturnType<Compiled['query']>>;

const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as PromiseLike<T> | null)?.then === 'function';

/** A compiled query's result with its errors as graphql-js would have made them. */
function withGraphQLErrors(result: CompiledResult): GatewayResult {
  if (!result.errors) return result as GatewayResult;
  // No data at all: the variables did not coerce (compiled queries report nothing else that way), a client error.
  const code = result.data === undefined ? 'BAD_USER_INPUT' : undefined;
  return { ...result, errors: result.errors.map((error) => asGraphQLError(error, code)) } as GatewayResult;
}

/**
 * A document is compiled on its second execution: a compile costs many runs'
 * worth of what it saves, so a one-off document (ad-hoc or hostile) runs once
 * on graphql-js instead of paying for a compile it would never earn back.
 */
const COMPILE_ON_RUN = 2;

/** Per operation of a document: how often it ran, and its compiled form once made. */
interface OperationPlan {
  runs: number;
  compiled?: Compiled;
}

export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  // Kept while Apollo's document store keeps the parsed document (the same object every time its text comes).
  const plansByDocument = new WeakMap<DocumentNode, Map<string, OperationPlan>>();

  const run = (requestContext: Parameters<GatewayExecutor>[0]): GatewayResult | Promise<GatewayResult> => {
    // Apollo resolves the operation before calling a gateway and leaves the mismatch to it: without this, an
    // operationName the document does not define ran the document's only operation, and Apollo answered 500.
    if (!requestContext.operation) return { errors: [unresolvedOperation(requestContext.request.operationName)] };
    const { document, operationName } = requestContext;
    const contextValue = requestContext.context;
    const variableValues = requestContext.request.variables ?? {};
    let plans = plansByDocument.get(document);
    if (!plans) {
      plans = new Map();
      plansByDocument.set(document, plans);
    }
    const key = operationName ?? '';
    let plan = plans.get(key);
    if (!plan) {
      plan = { runs: 0 };
      plans.set(key, plan);
    }
    plan.runs += 1;
    if (!plan.compiled && plan.runs >= COMPILE_ON_RUN) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      // Not compilable (an unknown operation name, say): the errors, as graphql-js would answer them.
      if (!isCompiledQuery(result)) return result as GatewayResult;
      plan.compiled = result as Compiled;
    }
    if (!plan.compiled) {
      return execute({ schema, document, operationName, contextValue, variableValues }) as GatewayResult;
    }
    const result = plan.compiled.query(undefined, contextValue, variableValues);
    return isPromiseLike(result) ? Promise.resolve(result).then(withGraphQLErrors) : withGraphQLErrors(result);
  };

  // Not async: its frame would be kept while the operation waits for its vendor calls.
  const executor: GatewayExecutor = (requestContext) => {
    try {
      return Promise.resolve(run(requestContext));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };

  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
}
