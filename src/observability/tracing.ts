import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';

/**
 * OpenTelemetry tracing with the maintained SDK: a span per HTTP request, per
 * GraphQL operation and per vendor attempt, exported over OTLP/HTTP. Parents
 * are passed explicitly (no global provider, no async context manager), so
 * several gateways can share a process and an untraced request pays nothing.
 * Spans carry route templates and codes only: never a URL's values, a header
 * or a document, since those may hold credentials.
 */

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface TracingSettings {
  /** OTLP/HTTP traces URL (`…/v1/traces`); tracing is off without one. */
  readonly otlpEndpoint?: string | undefined;
  readonly serviceName: string;
  readonly sampler: SamplerName;
  /** The ratio of the `traceidratio` samplers. */
  readonly samplerArg?: number | undefined;
}

export interface GatewayTracer {
  readonly tracer: Tracer;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface IncomingTraceContext {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

export interface VendorAttempt {
  readonly vendor: string;
  readonly method: string;
  /** The path template (`/provisioning/organizations/{organizationId}/connections`), never its values. */
  readonly route: string;
  /** 1 for the first try. */
  readonly attempt: number;
}

/** The spans of one request: the request's own, the current operation's, and one per vendor attempt. */
export class RequestSpans {
  readonly #tracer: Tracer;
  readonly #request: Span;
  #operation: Span | undefined;

  constructor(tracer: Tracer, method: string, path: string, incoming: IncomingTraceContext | undefined) {
    this.#tracer = tracer;
    const parent = incoming
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: incoming.traceId,
          spanId: incoming.parentId,
          traceFlags: Number.parseInt(incoming.flags, 16) & 1,
          isRemote: true,
        })
      : ROOT_CONTEXT;
    this.#request = tracer.startSpan(
      `${method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'http.route': path } },
      parent,
    );
  }

  get traceId(): string {
    return this.#request.spanContext().traceId;
  }

  get spanId(): string {
    return this.#request.spanContext().spanId;
  }

  /** The `traceparent` that names `span` as the parent. */
  traceparentOf(span: Span = this.#request): string {
    const { traceId, spanId, traceFlags } = span.spanContext();
    return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }

  /** A GraphQL operation starts; vendor attempts from now on are its children. */
  startOperation(): void {
    this.#operation = this.#tracer.startSpan(
      'graphql.operation',
      { kind: SpanKind.INTERNAL },
      trace.setSpan(ROOT_CONTEXT, this.#request),
    );
  }

  nameOperation(operationType: string, operationName: string | undefined): void {
    this.#operation?.updateName(operationName ? `${operationType} ${operationName}` : operationType);
    this.#operation?.setAttributes({
      'graphql.operation.type': operationType,
      ...(operationName && { 'graphql.operation.name': operationName }),
    });
  }

  endOperation(outcome: string, errorCodes: readonly string[]): void {
    const span = this.#operation;
    if (!span) return;
    span.setAttribute('junction.outcome', outcome);
    if (errorCodes.length > 0) span.setAttribute('junction.error_codes', [...errorCodes]);
    if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodes.join(',') });
    span.end();
    this.#operation = undefined;
  }

  /** One vendor attempt, a client span under the operation (or the request); its traceparent goes to the vendor. */
  startAttempt(call: VendorAttempt): {
    readonly traceparent: string;
    end(status: number | undefined, error?: string): void;
  } {
    const span = this.#tracer.startSpan(
      `${call.method} ${call.route}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'junction.vendor': call.vendor,
          'http.request.method': call.method,
          'url.template': call.route,
          'http.request.resend_count': call.attempt - 1,
          'junction.attempt': call.attempt,
        },
      },
      trace.setSpan(ROOT_CONTEXT, this.#operation ?? this.#request),
    );
    return {
      traceparent: this.traceparentOf(span),
      end(status, error) {
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        if (error !== undefined) span.setAttribute('error.type', error);
        if (error !== undefined || (status !== undefined && status >= 400))
          span.setStatus({ code: SpanStatusCode.ERROR, ...(error && { message: error }) });
        span.end();
      },
    };
  }

  /** The response is sent (or the client left). */
  end(status: number, attributes: Readonly<Record<string, string>>): void {
    this.#request.setAttributes({ 'http.response.status_code': status, ...attributes });
    if (status >= 500) this.#request.setStatus({ code: SpanStatusCode.ERROR });
    this.#request.end();
  }
}
