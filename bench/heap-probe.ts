import WebSocket from 'ws';

/**
 * What a gateway's heap holds once everything unreachable is collected, asked over the inspector protocol
 * (the gateway runs with `--inspect=127.0.0.1:PORT`): a leak is what survives a full collection from round to
 * round, whereas RSS peaks move with where the collector happens to be and how far V8 let the heap grow.
 */
/** Runs a full collection in the gateway listening for the inspector on `inspectPort`, then reads its V8 heap: megabytes in use. */
export async function liveHeapMb(inspectPort: number): Promise<number> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message.error ? Promise.reject(new Error(message.error.message)) : message.result);
  });
  const call = <T>(method: string): Promise<T> =>
    new Promise<T>((resolve) => {
      nextId += 1;
      waiting.set(nextId, resolve as (result: unknown) => void);
      socket.send(JSON.stringify({ id: nextId, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const { usedSize } = await call<{ usedSize: number }>('Runtime.getHeapUsage');
    return usedSize / (1024 * 1024);
  } finally {
    socket.close();
  }
}
