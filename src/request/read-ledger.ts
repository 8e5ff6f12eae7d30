import type { Vendor } from '../domain/models.js';

/**
 * What one request's reads depended on: per vendor the generation they were
 * read under, and when the first of them expires. The response cache
 * (server/response-cache.ts) stores a whole response only when every read
 * was a cacheable one, and keeps it no longer than its oldest read.
 */
export class ReadLedger {
  readonly generations = new Map<Vendor, string>();
  /** Epoch ms at which the first read of the request expires. */
  expiresAt = Number.POSITIVE_INFINITY;
  reads = 0;
  /** False once any read could not be cached (a failure, an untrusted generation, two generations of one vendor). */
  cacheable = true;

  record(vendor: Vendor, generation: string, expiresAt: number): void {
    const known = this.generations.get(vendor);
    if (known !== undefined && known !== generation) this.cacheable = false;
    this.generations.set(vendor, generation);
    this.expiresAt = Math.min(this.expiresAt, expiresAt);
    this.reads += 1;
  }

  spoil(): void {
    this.cacheable = false;
  }
}
