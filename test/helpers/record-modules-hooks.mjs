import { appendFileSync } from 'node:fs';

// Module customization hooks of record-modules.mjs: they run on the loader's thread.
let file;
export function initialize(data) {
  file = data.file;
}
export async function load(url, context, nextLoad) {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
