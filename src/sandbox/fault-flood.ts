import type { ServerResponse } from 'node:http';

/** One element of a flood: valid JSON once the array is closed, so only the size is wrong. */
const ELEMENT = Buffer.from(`{"id":"${'f'.repeat(1000)}"},`);

/**
 * A vendor that floods: 200, a chunked JSON array (no Content-Length) of about
 * `bytes` bytes, written as fast as the client reads. Stops early when the
 * client goes away; `done` learns how many bytes were written by then.
 */
export function flood(res: ServerResponse, bytes: number, done?: (written: number) => void): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  let written = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done?.(written);
  };
  res.on('close', finish);
  res.write('[');
  const pump = () => {
    while (written < bytes && !res.destroyed) {
      written += ELEMENT.length;
      if (!res.write(ELEMENT)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('{}]', finish);
  };
  pump();
}
