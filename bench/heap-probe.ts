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
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    const call = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) call?.reject(new Error(message.error.message));
    else call?.resolve(message.result);
  });
  // A gateway that dies or drops the socket mid-call fails the probe instead of leaving the bench waiting.
  const failAll = (error: Error) => {
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  };
  socket.on('error', failAll);
  socket.on('close', () => failAll(new Error(`inspector on port ${inspectPort} closed before answering`)));
  const call = <T>(method: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      nextId += 1;
      waiting.set(nextId, { resolve: resolve as (result: unknown) => void, reject });
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
