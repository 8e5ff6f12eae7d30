import type { Dispatcher } from 'undici';
import type { AttemptTimeout } from './attempt-timeout.js';

/**
 * One HTTP exchange on an undici dispatcher, the response body collected
 * whole as bytes, no further than a cap. A dispatch handler rather than
 * undici's `request`: that one wraps every call in an AsyncResource, a
 * Readable stream, a promise of its own and an abort listener, and parses the
 * URL again, all for a body Junction reads whole anyway.
 */

export interface Exchanged {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as received; empty when there was none. */
  readonly body: Buffer;
}

/** The same for every call to a vendor, so made once per vendor rather than per call. */
export interface BodyLimit {
  /** Largest body read: past it (or when the declared length is past it) the exchange is cut and `tooLarge` thrown. */
  readonly limit: number;
  readonly tooLarge: (status: number) => Error;
}

/** `timeout`: once it expires, the exchange is cut and fails with its reason. */
export function exchange(
  dispatcher: Dispatcher,
  request: Dispatcher.DispatchOptions,
  bodyLimit: BodyLimit,
  timeout: AttemptTimeout,
): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(request, new CollectingHandler(resolve, reject, bodyLimit, timeout));
  });
}

const EMPTY = Buffer.alloc(0);
/** Until the response starts: never handed out (an exchange resolves only after its response started). */
const NO_HEADERS: Record<string, string | string[] | undefined> = Object.freeze({});

/** Private: undici calls it as the exchange goes; it settles the exchange's promise once. */
class CollectingHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = NO_HEADERS;
  /** The first chunk alone: most bodies arrive in one, and need no array. */
  #first: Buffer | undefined;
  #chunks: Buffer[] | undefined;
  #size = 0;

  constructor(
    private readonly resolve: (exchanged: Exchanged) => void,
    private readonly reject: (error: unknown) => void,
    private readonly options: BodyLimit,
    private readonly timeout: AttemptTimeout,
  ) {
    timeout.onExpiry((reason) => this.#controller?.abort(reason));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    const expired = this.timeout.expired;
    if (expired) controller.abort(expired);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx: the response proper follows
    this.#status = statusCode;
    this.#headers = headers;
    const declared = headers['content-length'];
    // A body that declares more than the cap is not read at all.
    if (typeof declared === 'string' && declared !== '' && Number(declared) > this.options.limit)
      controller.abort(this.options.tooLarge(statusCode));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length;
    // One that streams past it is cut there.
    if (this.#size > this.options.limit) return controller.abort(this.options.tooLarge(this.#status));
    if (this.#first === undefined) this.#first = chunk;
    else (this.#chunks ??= [this.#first]).push(chunk);
  }

  onResponseEnd(): void {
    this.#settle();
    const body = this.#chunks ? Buffer.concat(this.#chunks, this.#size) : (this.#first ?? EMPTY);
    this.resolve({ status: this.#status, headers: this.#headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#settle();
    this.reject(error);
  }

  #settle(): void {
    this.timeout.onExpiry(undefined);
  }
}
