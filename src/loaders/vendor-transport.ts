import type { z } from 'zod';
import type { Secret } from '../config/secret.js';
import type { Vendor } from '../domain/models.js';
import type { FailureInterpreter } from '../http/failure-classification.js';
import type { HttpMethod } from '../http/upstream-http.js';

/**
 * The contract between a vendor adapter and the loaders: an adapter talks HTTP
 * only through a VendorTransport, which adds batching, caching and error
 * classification (implemented in upstream-transport.ts).
 */

/** Which TTL a cached read gets (config.cache.ttlSeconds). */
export type ReadResource = 'organization' | 'connections' | 'providers';

export interface ResourcePath {
  /** Path below the vendor's base URL, starting with "/"; path parameters already encoded. */
  readonly path: string;
  /** The same path as a template (`/organizations/{organizationId}`): what traces name, never a value. */
  readonly route: string;
  readonly query?: Readonly<Record<string, string>>;
}

export interface ReadSpec<T> extends ResourcePath {
  readonly resource: ReadResource;
  /** Validates the 2xx body; a body that fails it is UPSTREAM_BAD_RESPONSE. */
  readonly schema: z.ZodType<T>;
}

export interface WriteSpec<T> extends ResourcePath {
  readonly method: Exclude<HttpMethod, 'GET'>;
  readonly body?: unknown;
  /**
   * Sending this exact request twice is harmless, so Junction may repeat it
   * after a timeout, a reset or a 5xx, when it cannot know whether the vendor
   * acted. Decide per operation, from the vendor's semantics, and say why at
   * the call site. Default false: the write is then repeated only when the
   * vendor certainly did not act (429, connection refused).
   */
  readonly idempotent?: boolean;
  /** Validates the 2xx body; null when the vendor documents none (the body is then ignored). */
  readonly schema: z.ZodType<T> | null;
}

export interface VendorEndpoint {
  readonly vendor: Vendor;
  readonly baseUrl: string;
  /** Request headers; Secret values are revealed only when the request is built. */
  readonly headers: Readonly<Record<string, string | Secret>>;
  /**
   * What separates cached reads of this endpoint from other endpoints of the
   * same vendor and tenant: the organization, plus a credential fingerprint
   * where responses depend on whose token is sent.
   */
  readonly scope: string;
  /**
   * Interprets a 4xx the transport did not classify itself (429 and 5xx are
   * classified generically). Return undefined to use the default mapping
   * (401/403 → UPSTREAM_UNAUTHORIZED, 404 → NOT_FOUND, else UPSTREAM_REJECTED).
   */
  readonly interpretFailure?: FailureInterpreter;
}

export interface VendorTransport {
  /** A GET, deduplicated within the request, served from the shared cache when fresh. */
  read<T>(spec: ReadSpec<T>): Promise<T>;
  /**
   * A write; never cached or deduplicated. Whatever its outcome, it invalidates
   * every cached read of the vendor for the tenant: no invalidate() after it.
   */
  write<T>(spec: WriteSpec<T>): Promise<T | undefined>;
  /**
   * Drops reads the adapter found unusable (a 200 that carries a failure), so
   * the next read goes to the vendor and no answer built now is reused.
   */
  invalidate(paths: readonly ResourcePath[]): Promise<void>;
}

/** Builds a transport for one endpoint, bound to the current request's loaders and the tenant's cache namespace. */
export type ConnectTransport = (endpoint: VendorEndpoint) => VendorTransport;
