import { BadUserInputError } from './errors.js';
import { textInputProblem } from './input-policy.js';
import type { ConnectionModel, ConnectionStatus, Vendor } from './models.js';

/** A connection filter, as the `connections` and `Organization.connections` arguments give it. */
export interface ConnectionFilterModel {
  readonly vendor?: readonly Vendor[] | null | undefined;
  readonly status?: readonly ConnectionStatus[] | null | undefined;
  readonly provider?: string | null | undefined;
}

/** A filter as a predicate (vendor is the caller's to apply); its free text is checked against the input policy first (BAD_USER_INPUT, no vendor call). */
export const connectionPredicate = (filter: ConnectionFilterModel | null | undefined) => {
  const problem = filter?.provider == null ? null : textInputProblem(filter.provider);
  if (problem)
    throw new BadUserInputError(`Argument "filter.provider" ${problem}`, { argumentName: 'filter.provider' });
  const provider = filter?.provider ? filter.provider.toLowerCase() : null;
  return (c: ConnectionModel) =>
    (!filter?.status || filter.status.includes(c.status)) &&
    (provider === null || c.provider.slug.toLowerCase() === provider);
};
