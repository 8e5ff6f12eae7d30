import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { z } from 'zod';

/**
 * The schema's evolution policy, as code: compared with the last released
 * snapshot, a change graphql-inspector rates BREAKING fails the check unless
 * it is listed, with a reason, in the accepted list. Acceptances name the
 * change by inspector's type and schema path, so accepting the removal of
 * `Query.foo` accepts nothing else.
 */

export const acceptedChangesSchema = z.array(
  z
    .object({
      /** graphql-inspector's change type, for example FIELD_REMOVED. */
      type: z.string().regex(/^[A-Z_]+$/, 'must be a graphql-inspector change type such as FIELD_REMOVED'),
      /** The schema coordinate inspector reports, for example Query.foo or Vendor.ACME. */
      path: z.string().min(1),
      /** Why breaking clients is acceptable here (who was told, what replaces it). */
      reason: z.string().min(10, 'must say why the break is acceptable'),
    })
    .strict(),
);
export type AcceptedChange = z.infer<typeof acceptedChangesSchema>[number];

export interface EvolutionReport {
  /** Breaking changes nobody accepted: these fail the check. */
  readonly unaccepted: readonly Change[];
  /** Breaking changes the accepted list covers. */
  readonly accepted: readonly Change[];
  readonly dangerous: readonly Change[];
  readonly safe: readonly Change[];
  /** Acceptances that match no change (stale after a release, or a typo). */
  readonly unusedAcceptances: readonly AcceptedChange[];
}

const matches = (acceptance: AcceptedChange, change: Change) =>
  acceptance.type === change.type && acceptance.path === (change.path ?? '');

export async function compareWithRelease(
  releasedSdl: string,
  currentSdl: string,
  acceptances: readonly AcceptedChange[],
): Promise<EvolutionReport> {
  const changes = await diff(buildSchema(releasedSdl), buildSchema(currentSdl));
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  return {
    unaccepted: breaking.filter((c) => !acceptances.some((a) => matches(a, c))),
    accepted: breaking.filter((c) => acceptances.some((a) => matches(a, c))),
    dangerous: changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous),
    safe: changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking),
    unusedAcceptances: acceptances.filter((a) => !breaking.some((c) => matches(a, c))),
  };
}

/** A report for a terminal: one line per change, the failing ones with how to accept them. */
export function formatReport(report: EvolutionReport): string {
  const line = (c: Change) => `  - ${c.message}${c.path ? ` (${c.type} at ${c.path})` : ` (${c.type})`}`;
  const sections: string[] = [];
  if (report.unaccepted.length > 0) {
    sections.push(
      `BREAKING changes since the last release (${report.unaccepted.length}):`,
      ...report.unaccepted.map(line),
      '  Prefer a non-breaking path: add the new field or argument, mark the old one @deprecated(reason: "Use …"),',
      '  and remove it in a later release. To accept a break, add to schema-snapshot/accepted-breaking-changes.json:',
      ...report.unaccepted.map(
        (c) => `    ${JSON.stringify({ type: c.type, path: c.path ?? '', reason: 'why clients may break' })}`,
      ),
    );
  }
  if (report.accepted.length > 0)
    sections.push(`Accepted breaking changes (${report.accepted.length}):`, ...report.accepted.map(line));
  if (report.dangerous.length > 0)
    sections.push(`Dangerous changes (${report.dangerous.length}):`, ...report.dangerous.map(line));
  if (report.safe.length > 0) sections.push(`Safe changes (${report.safe.length}):`, ...report.safe.map(line));
  if (report.unusedAcceptances.length > 0)
    sections.push(
      `Acceptances matching no change (remove them): ${report.unusedAcceptances.map((a) => `${a.type} at ${a.path}`).join(', ')}`,
    );
  if (sections.length === 0) sections.push('No changes since the last release.');
  return sections.join('\n');
}
