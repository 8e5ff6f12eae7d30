import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { GatewayError, GatewayErrorCode } from '../domain/errors.js';
import type { RequestState } from '../request/request-state.js';
import type { RateLimiter, Verdict } from './rate-limits.js';
import type { RequestPlugin } from './request-plugins.js';

/**
 * Spends an operation's cost from the cost limits once Apollo has validated it
 * and before anything executes. The cost is graphql-armor's, computed as the
 * operation-limit rule does (operation-limits.ts), once per parsed document:
 * Apollo keeps parsed documents, so a repeated operation is not costed again.
 */
export function rateLimitPlugin(limiter: RateLimiter): RequestPlugin {
  const costs = new WeakMap<DocumentNode, number>();
  return {
    requestDidStart: async () => ({
      async didResolveOperation({ document, schema, contextValue }) {
        const spend = contextValue.request.rateLimit;
        if (!spend) return;
        let cost = costs.get(document);
        if (cost === undefined) costs.set(document, (cost = operationCost(schema, document)));
        spend.cost = cost;
        rejectIfRefused(await limiter.spendCost(spend, cost), contextValue.request);
      },
    }),
  };
}

/** Records the spend on the request; a refusal becomes HTTP 429 RATE_LIMITED. */
export function rejectIfRefused(verdict: Verdict, state: RequestState): void {
  const spend = state.rateLimit;
  if (!spend) return;
  spend.states = [...spend.states.filter((s) => !verdict.states.some((v) => v.policy === s.policy)), ...verdict.states];
  if (verdict.allowed) return;
  spend.retryAfterSeconds = verdict.retryAfterSeconds;
  throw new RateLimitedError(verdict.retryAfterSeconds);
}

export class RateLimitedError extends GatewayError {
  constructor(readonly retryAfterSeconds: number) {
    super(`Rate limit reached: retry after ${retryAfterSeconds} s`, GatewayErrorCode.RATE_LIMITED, {
      retryAfter: retryAfterSeconds,
      http: { status: 429 },
    });
  }
}

/** The highest cost among the document's operations (graphql-armor's defaults, as in the cost limit); subscriptions.ts spends it too. */
export function operationCost(schema: GraphQLSchema, document: DocumentNode): number {
  let cost = 0;
  const rule = costLimitRule({
    maxCost: Number.MAX_SAFE_INTEGER,
    onAccept: [(_context, details: { n: number }) => void (cost = Math.max(cost, details.n))],
  }) as unknown as ValidationRule;
  validate(schema, document, [rule]);
  return cost;
}
