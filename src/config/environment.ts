/**
 * The settings environment variables may set, and how configuration layers
 * merge: the file first, then the environment, then programmatic overrides.
 */

/** The settings environment variables name, mapped onto the config tree. */
export function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cache: Record<string, unknown> = {};
  const upstream: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  if (env.PORT !== undefined) out.port = env.PORT;
  if (env.HOST !== undefined) out.host = env.HOST;
  if (env.LOG_LEVEL !== undefined) out.logLevel = env.LOG_LEVEL;
  if (env.NODE_ENV === 'production') out.production = true;
  if (env.JUNCTION_INTROSPECTION !== undefined) out.introspection = env.JUNCTION_INTROSPECTION === 'true';
  if (env.JUNCTION_IDE !== undefined) out.ide = env.JUNCTION_IDE === 'true';
  if (env.REDIS_URL) cache.redisUrl = env.REDIS_URL;
  if (env.REDIS_CLUSTER_NODES) cache.redisClusterNodes = env.REDIS_CLUSTER_NODES.split(',').map((s) => s.trim());
  if (env.REDIS_COMMAND_TIMEOUT_MS !== undefined) cache.commandTimeoutMs = env.REDIS_COMMAND_TIMEOUT_MS;
  if (env.UPSTREAM_TIMEOUT_MS !== undefined) upstream.timeoutMs = env.UPSTREAM_TIMEOUT_MS;
  const persisted: Record<string, unknown> = {};
  if (env.JUNCTION_PERSISTED_OPERATIONS) persisted.mode = env.JUNCTION_PERSISTED_OPERATIONS;
  if (env.JUNCTION_OPERATION_MANIFESTS)
    persisted.manifests = env.JUNCTION_OPERATION_MANIFESTS.split(',').map((s) => s.trim());
  if (Object.keys(persisted).length > 0) out.persistedOperations = persisted;
  if (env.UPSTREAM_MAX_RESPONSE_BYTES !== undefined) upstream.maxResponseBytes = env.UPSTREAM_MAX_RESPONSE_BYTES;
  if (env.REQUEST_DEADLINE_MS !== undefined) upstream.requestDeadlineMs = env.REQUEST_DEADLINE_MS;
  if (env.UPSTREAM_MAX_ATTEMPTS !== undefined) upstream.retry = { maxAttempts: env.UPSTREAM_MAX_ATTEMPTS };
  if (env.SHUTDOWN_GRACE_MS !== undefined) out.shutdownGraceMs = env.SHUTDOWN_GRACE_MS;
  if (env.SHUTDOWN_DRAIN_DELAY_MS !== undefined) out.shutdownDrainDelayMs = env.SHUTDOWN_DRAIN_DELAY_MS;
  if (env.JUNCTION_CORS_ORIGINS !== undefined)
    out.cors = {
      allowedOrigins: env.JUNCTION_CORS_ORIGINS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
  if (Object.keys(cache).length > 0) out.cache = cache;
  if (env.JUNCTION_MAX_BODY_BYTES !== undefined) limits.maxBodyBytes = env.JUNCTION_MAX_BODY_BYTES;
  if (env.JUNCTION_MAX_DESTRUCTIVE_FIELDS !== undefined)
    limits.maxDestructiveFields = env.JUNCTION_MAX_DESTRUCTIVE_FIELDS;
  if (env.JUNCTION_BATCHING !== undefined) limits.batching = env.JUNCTION_BATCHING === 'true';
  if (Object.keys(upstream).length > 0) out.upstream = upstream;
  if (Object.keys(limits).length > 0) out.limits = limits;
  const tracing = tracingFromEnvironment(env);
  if (Object.keys(tracing).length > 0) out.tracing = tracing;
  return out;
}

/** Private: the standard OTEL_* variables (OpenTelemetry SDK environment specification) that concern traces. */
function tracingFromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const tracing: Record<string, unknown> = {};
  const disabled =
    env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER?.trim() === 'none';
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base && `${base.replace(/\/+$/, '')}/v1/traces`);
  if (endpoint && !disabled) tracing.otlpEndpoint = endpoint;
  if (env.OTEL_SERVICE_NAME) tracing.serviceName = env.OTEL_SERVICE_NAME;
  if (env.OTEL_TRACES_SAMPLER) tracing.sampler = env.OTEL_TRACES_SAMPLER.trim();
  if (env.OTEL_TRACES_SAMPLER_ARG) tracing.samplerArg = env.OTEL_TRACES_SAMPLER_ARG.trim();
  return tracing;
}

/** Private: merges b into a, recursing into plain objects; arrays and scalars of b replace a's. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
