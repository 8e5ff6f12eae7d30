import { register } from 'node:module';
import { renameSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { getHeapSpaceStatistics } from 'node:v8';

// Preload (node --import) for tests of what a process loads: every module URL it loads is appended to
// RECORD_MODULES_FILE; SIGUSR2 writes the V8 heap spaces' sizes to RECORD_MODULES_FILE.heap.json.
const file = process.env.RECORD_MODULES_FILE;
register('./record-modules-hooks.mjs', import.meta.url, { data: { file } });
process.on('SIGUSR2', () => {
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  // Whole or not at all: the test waits for the file to appear.
  writeFileSync(`${file}.heap.tmp`, JSON.stringify(spaces));
  renameSync(`${file}.heap.tmp`, `${file}.heap.json`);
});
