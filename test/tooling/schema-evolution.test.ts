import { readFileSync } from 'node:fs';
import { buildSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../src/server/apollo.js';
import { acceptedChangesSchema, compareWithRelease, formatReport } from '../../scripts/schema/evolution.js';
import { ACCEPTED_CHANGES_PATH, RELEASED_PATH } from '../../scripts/schema/live-gateway.js';

/** The breaking-change policy that `npm run schema:check` applies, on the repository's schema and on edits of it. */

const current = printSchema(buildSchema(loadTypeDefs()));
const accepted = acceptedChangesSchema.parse(JSON.parse(readFileSync(ACCEPTED_CHANGES_PATH, 'utf8')));

/** schema/ with one textual edit, failing loudly if the edit no longer applies. */
function edited(from: string | RegExp, to: string, sdl = loadTypeDefs()): string {
  const next = sdl.replace(from, to);
  expect(next).not.toBe(sdl);
  return next;
}
/** A regex for a field or enum value definition together with its one-line description. */
const described = (definition: string) => new RegExp(`  "[^\\n]*"\\n  ${definition.replace(/[!()[\]]/g, '\\$&')}\\n`);

describe('schema evolution against the last released snapshot', () => {
  it('schema/ has no unaccepted breaking change since the release', async () => {
    const report = await compareWithRelease(readFileSync(RELEASED_PATH, 'utf8'), current, accepted);
    expect(report.unaccepted.map((c) => c.message)).toEqual([]);
    expect(report.unusedAcceptances).toEqual([]);
  });

  it('removing a field is breaking, named by type and path, with the line to accept it', async () => {
    const next = edited(described('vendorStatus: String!'), '');
    const report = await compareWithRelease(current, next, []);
    expect(report.unaccepted.map((c) => [c.type, c.path])).toEqual([['FIELD_REMOVED', 'Connection.vendorStatus']]);
    const text = formatReport(report);
    expect(text).toContain('BREAKING changes since the last release (1)');
    expect(text).toContain('{"type":"FIELD_REMOVED","path":"Connection.vendorStatus"');
  });

  it('an accepted break passes, and only the accepted one', async () => {
    const next = edited(described('externalId: String!'), '', edited(described('vendorStatus: String!'), ''));
    const acceptance = { type: 'FIELD_REMOVED', path: 'Connection.vendorStatus', reason: 'Replaced by status.' };
    const report = await compareWithRelease(current, next, [acceptance]);
    expect(report.accepted.map((c) => c.path)).toEqual(['Connection.vendorStatus']);
    // externalId was removed from Connection and from Organization, Provider's stays (first match only).
    expect(report.unaccepted.map((c) => c.path)).toEqual(['Connection.externalId']);
  });

  it('adding a field and deprecating one are not breaking', async () => {
    const next = edited(
      '  vendorStatus: String!\n',
      '  vendorStatus: String! @deprecated(reason: "Use `status`.")\n  "The vendor\'s raw status code."\n  vendorStatusCode: String\n',
    );
    const report = await compareWithRelease(current, next, []);
    expect(report.unaccepted).toEqual([]);
    expect(report.safe.map((c) => c.type)).toEqual(expect.arrayContaining(['FIELD_ADDED', 'FIELD_DEPRECATION_ADDED']));
  });

  it('making an argument required and removing an enum value are breaking', async () => {
    const next = edited('filter: ConnectionFilter\n', 'filter: ConnectionFilter!\n', edited(described('ERROR'), ''));
    const report = await compareWithRelease(current, next, []);
    expect(report.unaccepted.map((c) => c.type).sort()).toEqual(['ENUM_VALUE_REMOVED', 'FIELD_ARGUMENT_TYPE_CHANGED']);
  });

  it('an acceptance needs a type, a path and a reason', () => {
    expect(acceptedChangesSchema.safeParse([{ type: 'FIELD_REMOVED', path: 'Query.x' }]).success).toBe(false);
    expect(acceptedChangesSchema.safeParse([{ type: 'FIELD_REMOVED', path: 'Query.x', reason: 'ok' }]).success).toBe(
      false,
    );
  });
});
