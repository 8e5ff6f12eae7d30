import { GraphQLError, type ASTVisitor, type ValidationRule } from 'graphql';

/**
 * An operation whose type the schema has no root for (a `subscription` while
 * the schema defines none) is refused while validating: HTTP 400
 * GRAPHQL_VALIDATION_FAILED, naming the missing root, before any resolver runs.
 * graphql-js 16 only notices at execution, which Apollo answered as a 200 with
 * INTERNAL_SERVER_ERROR.
 */
export const knownOperationTypesRule: ValidationRule = (context): ASTVisitor => ({
  OperationDefinition(operation) {
    if (context.getSchema().getRootType(operation.operation)) return;
    context.reportError(
      new GraphQLError(`This schema defines no ${operation.operation} operations.`, { nodes: operation }),
    );
  },
});

/**
 * POST and GET /graphql run queries and mutations; a subscription there is
 * refused while validating (HTTP 400) with where to send it instead.
 */
export const subscriptionsElsewhereRule: ValidationRule = (context): ASTVisitor => ({
  OperationDefinition(operation) {
    if (operation.operation !== 'subscription' || !context.getSchema().getSubscriptionType()) return;
    context.reportError(
      new GraphQLError(
        'Subscriptions are served over Server-Sent Events at /graphql/stream and over WebSocket (graphql-transport-ws) at /graphql, not over POST or GET /graphql.',
        { nodes: operation },
      ),
    );
  },
});
