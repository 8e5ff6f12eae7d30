import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { GatewayTracer, TracingSettings } from './tracing.js';

/**
 * The OpenTelemetry SDK's side of tracing: the provider, its sampler and the
 * OTLP/HTTP exporter. A module of its own so that a gateway without a collector
 * configured never loads them (app.ts imports it only then).
 */

/** The tracer of one gateway, or undefined when no endpoint is configured. */
export function createGatewayTracer(settings: TracingSettings): GatewayTracer | undefined {
  if (!settings.otlpEndpoint) return undefined;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    sampler: samplerOf(settings),
    // Headers, timeout and compression of the exporter come from the standard OTEL_EXPORTER_OTLP_* variables.
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: settings.otlpEndpoint }) })],
  });
  return { tracer: provider.getTracer('junction'), shutdown: () => provider.shutdown() };
}

/** Private: the OTEL_TRACES_SAMPLER values the specification lists for traces. */
function samplerOf({ sampler, samplerArg = 1 }: TracingSettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(samplerArg);
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
