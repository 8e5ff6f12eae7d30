import WebSocket from 'ws';

/**
 * Raw subscription clients for tests: every byte the gateway sends is kept
 * (`raw`), so a test can assert what never appears in any frame, and each
 * message is awaited (no sleeps): `next()` resolves with the next message, or
 * rejects when the stream or socket ends first.
 */

/** A queue of messages that a test awaits one by one. */
class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiting: { resolve: (item: T) => void; reject: (error: Error) => void }[] = [];
  private ended: Error | null = null;

  push(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }

  end(reason: string): void {
    this.ended ??= new Error(reason);
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.ended);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Messages received and not yet taken. */
  get pending(): readonly T[] {
    return this.items;
  }
}

export interface SseMessage {
  readonly event: string;
  readonly id?: string;
  readonly data: unknown;
}

export interface SseStream {
  readonly status: number;
  readonly headers: Headers;
  /** Everything received, as text. */
  readonly raw: () => string;
  next(): Promise<SseMessage>;
  /** Resolves once the server ended the stream. */
  readonly ended: Promise<void>;
  readonly pending: () => readonly SseMessage[];
  close(): void;
}

/** POSTs an operation to /graphql/stream and reads its event stream. */
export async function sseSubscribe(
  gatewayUrl: string,
  body: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string>,
): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(`${gatewayUrl}/stream`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  const inbox = new Inbox<SseMessage>();
  let raw = '';
  // A refusal is a plain answer: read whole before the test looks at it.
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) raw = await res.text();
  const ended = (async () => {
    if (!res.body || res.bodyUsed) return inbox.end('not an event stream');
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message = parseSse(block);
          if (message) inbox.push(message);
        }
      }
    } catch {
      // Aborted by the test.
    }
    inbox.end('the event stream ended');
  })();
  return {
    status: res.status,
    headers: res.headers,
    raw: () => raw,
    next: () => inbox.next(),
    ended,
    pending: () => inbox.pending,
    close: () => abort.abort(),
  };
}

function parseSse(block: string): SseMessage | null {
  const fields: Record<string, string> = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    fields[name] = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
  }
  if (!fields.event) return null;
  return {
    event: fields.event,
    ...(fields.id !== undefined && { id: fields.id }),
    data: fields.data ? (JSON.parse(fields.data) as unknown) : null,
  };
}

export interface WsMessage {
  readonly type: string;
  readonly id?: string;
  readonly payload?: unknown;
}

export interface WsConnection {
  /** Every frame received, as text. */
  readonly raw: () => string;
  next(): Promise<WsMessage>;
  send(message: WsMessage): void;
  /** Sends `subscribe` with this id. */
  subscribe(id: string, body: { query: string; variables?: Record<string, unknown> }): void;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a graphql-transport-ws socket to /graphql and sends connection_init with `params`. */
export async function wsConnect(
  gatewayUrl: string,
  params: Record<string, unknown> | undefined,
): Promise<WsConnection> {
  const socket = new WebSocket(gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const inbox = new Inbox<WsMessage>();
  let raw = '';
  socket.on('message', (data: Buffer) => {
    raw += `${data.toString()}\n`;
    inbox.push(JSON.parse(data.toString()) as WsMessage);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => {
      inbox.end(`socket closed ${code}`);
      resolve({ code, reason: reason.toString() });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const send = (message: WsMessage) => socket.send(JSON.stringify(message));
  send({ type: 'connection_init', ...(params && { payload: params }) });
  return {
    raw: () => raw,
    next: () => inbox.next(),
    send,
    subscribe: (id, payload) => send({ type: 'subscribe', id, payload }),
    closed,
    close: () => socket.close(1000),
  };
}
