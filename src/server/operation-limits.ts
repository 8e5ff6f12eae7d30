import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  type ASTVisitor,
  type FieldNode,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config/config.js';

/**
 * Operation limits, enforced while Apollo validates a document, so a rejected
 * operation costs no resolver and no vendor call and answers HTTP 400. Depth,
 * aliases and cost come from graphql-armor (maintained, fragment-aware); root
 * fields are counted here; tokens are graphql-js's own parser limit
 * (`parseOptions.maxTokens`); body size and batch size are checked by the HTTP
 * server before Apollo sees the request.
 *
 * Every rejection carries `extensions.code = OPERATION_LIMIT_EXCEEDED` and
 * `extensions.limit` naming the limit, so clients can branch on it.
 */

export type OperationLimits = Config['limits'];

export const OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED';

type LimitName = 'depth' | 'aliases' | 'rootFields' | 'destructiveFields' | 'cost' | 'tokens';

/** A rejected operation. Apollo wraps it as GRAPHQL_VALIDATION_FAILED; formatError restores this code. */
export class OperationLimitError extends GraphQLError {
  constructor(limit: LimitName, max: number, message: string) {
    super(message, { extensions: { code: OPERATION_LIMIT_EXCEEDED, limit, max } });
    this.name = 'OperationLimitError';
  }
}

/** Private: armor's rules report through callbacks; ours replaces their "Syntax Error:" wording with a typed error. */
const reportAs = (limit: LimitName, max: number) => ({
  propagateOnRejection: false,
  exposeLimits: true,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new OperationLimitError(limit, max, error.message.replace(/^Syntax Error: /, ''))),
  ],
});

type Selections = OperationDefinitionNode['selectionSet']['selections'];

/** Private: the top-level fields of an operation, those inside fragments spread at the root included (each fragment once). */
function rootFieldsOf(context: ValidationContext, operation: OperationDefinitionNode): FieldNode[] {
  const seen = new Set<string>();
  const collect = (selections: Selections): FieldNode[] =>
    selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection];
      if (selection.kind === Kind.INLINE_FRAGMENT) return collect(selection.selectionSet.selections);
      if (seen.has(selection.name.value)) return [];
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      return fragment ? collect(fragment.selectionSet.selections) : [];
    });
  return collect(operation.selectionSet.selections);
}

/** Private: top-level fields of each operation; each can fan out to every vendor. */
function maxRootFieldsRule(max: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(operation) {
      const fields = rootFieldsOf(context, operation).length;
      if (fields > max) {
        context.reportError(
          new OperationLimitError('rootFields', max, `Root fields limit of ${max} exceeded, found ${fields}.`),
        );
      }
    },
  });
}

/**
 * Private: every Mutation field removes or replaces something at a vendor, so a
 * mutation's root fields (aliases included, `__typename` not) are bounded on
 * their own: many deletes belong in a bulk operation with per-item results.
 */
function maxDestructiveFieldsRule(max: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(operation) {
      if (operation.operation !== OperationTypeNode.MUTATION) return;
      const fields = rootFieldsOf(context, operation).filter((field) => !field.name.value.startsWith('__')).length;
      if (fields > max) {
        context.reportError(
          new OperationLimitError(
            'destructiveFields',
            max,
            `Destructive fields limit of ${max} per operation exceeded, found ${fields}.`,
          ),
        );
      }
    },
  });
}

export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ...reportAs('depth', limits.maxDepth) }) as unknown as ValidationRule,
    maxAliasesRule({ n: limits.maxAliases, ...reportAs('aliases', limits.maxAliases) }) as unknown as ValidationRule,
    costLimitRule({ maxCost: limits.maxCost, ...reportAs('cost', limits.maxCost) }) as unknown as ValidationRule,
    maxRootFieldsRule(limits.maxRootFields),
    maxDestructiveFieldsRule(limits.maxDestructiveFields),
  ];
}

/**
 * graphql-js aborts parsing past `maxTokens` with a plain syntax error
 * ("Document contains more that N tokens"); this recognises it so formatError
 * can give it the limit code.
 */
export function tokenLimitError(message: string, maxTokens: number): OperationLimitError | null {
  return /Document contains more th(?:an|at) \d+ tokens/.test(message)
    ? new OperationLimitError('tokens', maxTokens, `Token limit of ${maxTokens} exceeded.`)
    : null;
}
