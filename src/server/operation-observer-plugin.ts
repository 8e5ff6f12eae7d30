import { performance } from 'node:perf_hooks';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { OperationOutcome } from '../request/request-state.js';
import type { RequestPlugin } from './request-plugins.js';

/**
 * Records every GraphQL operation: a metric by name and outcome, and a summary
 * in the request's state for its log line and the response cache. Apollo runs
 * each operation with a shallow copy of the context; the state is shared by both.
 */
export function operationObserverPlugin(metrics: GatewayMetrics): RequestPlugin {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const spans = contextValue.request.trace.spans;
      spans?.startOperation();
      return {
        async didResolveOperation({ operation, operationName }) {
          if (operation) spans?.nameOperation(operation.operation, operationName ?? undefined);
        },
        async willSendResponse({ response, operation, operationName, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const outcome: OperationOutcome = !errors?.length ? 'ok' : data ? 'partial' : 'error';
          const operationType = operation?.operation ?? 'unknown';
          const errorCodes = [
            ...new Set((errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'))),
          ];
          // The first round trip of an automatic persisted query: the client sends the query next, nothing failed.
          if (errorCodes.length === 1 && errorCodes[0] === 'PERSISTED_QUERY_NOT_FOUND') metrics.persistedQueryMiss();
          else
            metrics.operation(operationName ?? undefined, operationType, outcome, (performance.now() - started) / 1000);
          contextValue.request.operation = { operationName: operationName ?? null, operationType, outcome, errorCodes };
          spans?.endOperation(outcome, errorCodes);
        },
      };
    },
  };
}
