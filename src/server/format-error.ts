import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { GatewayError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { OperationLimitError, tokenLimitError, type OperationLimits } from './operation-limits.js';

/**
 * Lets through only errors that are GraphQLErrors by construction — Junction's
 * own GatewayErrors and graphql-js/Apollo's parse, validation and coercion
 * errors — and masks everything else. Apollo passes a plain Error's message
 * (an internal address, a vendor body, a token) straight to the client, even in
 * production mode, so the masking is ours to do.
 */
export function createFormatError(logger: Logger, limits?: Pick<OperationLimits, 'maxTokens'>) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // Apollo re-codes validation and parse errors; a rejected operation keeps its own code (HTTP status stays 400).
    const limit = limitErrorIn(original) ?? (limits ? tokenLimitError(formatted.message, limits.maxTokens) : null);
    if (limit) return { message: limit.message, extensions: { ...limit.extensions } };
    if (isOurs(original)) {
      // Keep code and our own extensions; never a stack trace.
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return {
      message: 'Unexpected error.',
      ...(formatted.locations && { locations: formatted.locations }),
      ...(formatted.path && { path: formatted.path }),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * Private: a GatewayError, or a GraphQLError that wraps nothing (parse,
 * validation, coercion, Apollo's request errors), or one that wraps only such
 * errors. Checked through the wrapper chain rather than by `instanceof` alone,
 * because Apollo wraps errors it did not create in its own GraphQLError.
 */
function isOurs(error: unknown): boolean {
  if (error instanceof GatewayError) return true;
  if (error instanceof GraphQLError || (error instanceof Error && error.name === 'GraphQLError')) {
    const inner = (error as GraphQLError).originalError;
    return inner == null || isOurs(inner);
  }
  return false;
}

/** Private: the OperationLimitError an Apollo ValidationError wraps, if any. */
function limitErrorIn(error: unknown): OperationLimitError | null {
  if (error instanceof OperationLimitError) return error;
  if (error instanceof GraphQLError && error.originalError) return limitErrorIn(error.originalError);
  return null;
}
