import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { liveHeapMb } from '../../bench/heap-probe.js';

/** The bench's heap probe: a figure from a live process, and a failure (never a wait) when the inspector goes away. */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A node process with the inspector on a free loopback port; resolves with the port once it listens. */
function inspectedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', 'setInterval(() => {}, 1000)'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      const listening = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (listening) resolve(Number(listening[1]));
    });
    child.once('exit', (code) => reject(new Error(`inspected process exited (${code}): ${err}`)));
  });
}

/** An inspector endpoint that lists one target and drops each protocol connection at its first message. */
async function droppingInspector(): Promise<number> {
  const sockets = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => {
    const { port } = server.address() as AddressInfo;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([{ webSocketDebuggerUrl: `ws://127.0.0.1:${port}/target` }]));
  });
  server.on('upgrade', (req, socket, head) =>
    sockets.handleUpgrade(req, socket, head, (ws) => ws.once('message', () => ws.terminate())),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    sockets.close();
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

describe('the heap probe', () => {
  it("reads a live process's heap after a full collection", async () => {
    const megabytes = await liveHeapMb(await inspectedProcess());
    expect(megabytes).toBeGreaterThan(0.5);
    expect(megabytes).toBeLessThan(500);
  });

  it('fails, instead of waiting for ever, when the inspector drops the connection mid-call', async () => {
    await expect(liveHeapMb(await droppingInspector())).rejects.toThrow(/closed before answering/);
  });
});
