import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayMetrics, OperationOutcome } from '../observability/metrics.js';
import type { GatewayContext } from './context.js';

/**
 * Records every GraphQL operation: a metric by name and outcome, and a summary
 * the HTTP server adds to the request's log line (operationSummaryOf).
 */

export interface OperationSummary {
  readonly operationName: string | null;
  readonly operationType: string;
  readonly outcome: OperationOutcome;
  /** Distinct `extensions.code` values of the response's errors. */
  readonly errorCodes: readonly string[];
}

/**
 * Private: where the plugin leaves the summary. Apollo runs each operation with
 * a shallow copy of the context, so the summary goes into an object both copies
 * share, under a symbol key (copied by Object.assign, invisible to resolvers).
 */
const SLOT = Symbol('operationSummary');
interface SummarySlot {
  summary?: OperationSummary;
}
type WithSlot = { [SLOT]?: SummarySlot };

/** Gives a request's context a place for its operation summary; call before running the operation. */
export function prepareOperationSummary(context: object): void {
  (context as WithSlot)[SLOT] = {};
}

/** The summary of the operation run with this context, once its response was sent. */
export const operationSummaryOf = (context: object): OperationSummary | undefined =>
  (context as WithSlot)[SLOT]?.summary;

export function operationObserverPlugin(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, operationName, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const outcome: OperationOutcome = !errors?.length ? 'ok' : data ? 'partial' : 'error';
          const operationType = operation?.operation ?? 'unknown';
          const errorCodes = [
            ...new Set((errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'))),
          ];
          metrics.operation(operationName ?? undefined, operationType, outcome, (performance.now() - started) / 1000);
          const slot = (contextValue as WithSlot)[SLOT];
          if (slot) slot.summary = { operationName: operationName ?? null, operationType, outcome, errorCodes };
        },
      };
    },
  };
}
