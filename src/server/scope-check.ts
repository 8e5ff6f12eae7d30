import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { requireScope, type Scope } from '../request/caller.js';
import type { RequestPlugin } from './request-plugins.js';

/**
 * Scopes per root field, checked once Apollo has resolved the operation and
 * before anything executes: a refused operation is HTTP 403 FORBIDDEN and
 * reaches no resolver, so no vendor is called. Query fields need `read`,
 * mutation fields `write`, `__schema` and `__type` `introspect` (in production:
 * `introspectionNeedsScope`), unless ROOT_FIELD_SCOPES names another scope.
 */

/** Root fields whose scope is not their operation type's, by `Type.field` (admin fields: the audit log…). */
export const ROOT_FIELD_SCOPES: Readonly<Record<string, Scope>> = {
  'Query.auditLog': 'admin',
  'Query.webhookEndpoints': 'admin',
  'Query.webhookDeliveries': 'admin',
  'Mutation.createWebhookEndpoint': 'admin',
  'Mutation.deleteWebhookEndpoint': 'admin',
  'Mutation.redeliverWebhookEvent': 'admin',
};

const SCOPE_OF_TYPE: Readonly<Record<OperationDefinitionNode['operation'], Scope>> = {
  query: 'read',
  mutation: 'write',
  subscription: 'read',
};
const TYPE_NAME: Readonly<Record<OperationDefinitionNode['operation'], string>> = {
  query: 'Query',
  mutation: 'Mutation',
  subscription: 'Subscription',
};

/** Each scope the operation's root fields need, with the first field that needs it (for the message). */
export function requiredScopes(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  introspectionNeedsScope: boolean,
): Map<Scope, string> {
  const needed = new Map<Scope, string>();
  const typeName = TYPE_NAME[operation.operation];
  const seenFragments = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        // Validation rejects unknown and cyclic spreads before this runs; the guard keeps this loop finite anyway.
        if (fragment && !seenFragments.has(fragment.name.value)) {
          seenFragments.add(fragment.name.value);
          visit(fragment.selectionSet);
        }
      } else {
        const name = selection.name.value;
        if (name === '__typename') continue;
        const scope =
          name === '__schema' || name === '__type'
            ? introspectionNeedsScope
              ? 'introspect'
              : undefined
            : (ROOT_FIELD_SCOPES[`${typeName}.${name}`] ?? SCOPE_OF_TYPE[operation.operation]);
        if (scope && !needed.has(scope)) needed.set(scope, `${typeName}.${name}`);
      }
    }
  };
  visit(operation.selectionSet);
  return needed;
}

export function scopeCheckPlugin(options: { readonly introspectionNeedsScope: boolean }): RequestPlugin {
  // Apollo's document store hands back the same parsed document for the same text: computed once per operation.
  const known = new WeakMap<OperationDefinitionNode, Map<Scope, string>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation) return;
          let needed = known.get(operation);
          if (!needed) {
            const fragments = new Map<string, FragmentDefinitionNode>();
            for (const definition of document.definitions)
              if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
            needed = requiredScopes(operation, fragments, options.introspectionNeedsScope);
            known.set(operation, needed);
          }
          for (const [scope, field] of needed) requireScope(contextValue.request.caller, scope, `\`${field}\``);
        },
      };
    },
  };
}
