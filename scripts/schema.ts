import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { buildSchema, printSchema } from 'graphql';
import { loadTypeDefs } from '../src/server/apollo.js';
import { acceptedChangesSchema, compareWithRelease, formatReport } from './schema/evolution.js';
import {
  ACCEPTED_CHANGES_PATH,
  introspectServedSchema,
  RELEASED_PATH,
  SNAPSHOT_PATH,
  withLiveGateway,
} from './schema/live-gateway.js';

/**
 * Schema tooling:
 *   snapshot  introspect a running gateway, write schema-snapshot/current.graphql
 *   check     compare schema/ with the last released snapshot; fail on unaccepted breaking changes
 *   release   the current snapshot becomes the released one; the accepted list is emptied
 */

async function snapshot(): Promise<void> {
  const sdl = await withLiveGateway(({ url, apiKey }) => introspectServedSchema(url, apiKey));
  writeFileSync(SNAPSHOT_PATH, sdl);
  console.log(`wrote ${SNAPSHOT_PATH} (${sdl.split('\n').length} lines)`);
}

async function check(): Promise<boolean> {
  const acceptances = acceptedChangesSchema.parse(JSON.parse(readFileSync(ACCEPTED_CHANGES_PATH, 'utf8')));
  const current = printSchema(buildSchema(loadTypeDefs()));
  const report = await compareWithRelease(readFileSync(RELEASED_PATH, 'utf8'), current, acceptances);
  console.log(formatReport(report));
  return report.unaccepted.length === 0;
}

function release(): void {
  copyFileSync(SNAPSHOT_PATH, RELEASED_PATH);
  writeFileSync(ACCEPTED_CHANGES_PATH, '[]\n');
  console.log(`${SNAPSHOT_PATH} is now the released schema (${RELEASED_PATH}); accepted breaking changes cleared`);
}

const command = process.argv[2];
try {
  if (command === 'snapshot') await snapshot();
  else if (command === 'check') process.exitCode = (await check()) ? 0 : 1;
  else if (command === 'release') release();
  else {
    console.error('usage: tsx scripts/schema.ts snapshot|check|release');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
