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
  /** Per vendor, when its oldest read of this request was fetched from the vendor (epoch ms; a cached read's fetch time). */
  readonly readAt = new Map<Vendor, number>();

  record(vendor: Vendor, generation: string, expiresAt: number): void {
    const known = this.generations.get(vendor);
    if (known !== undefined && known !== generation) this.cacheable = false;
    this.generations.set(vendor, generation);
    this.expiresAt = Math.min(this.expiresAt, expiresAt);
    this.reads += 1;
  }

  /** A read of `vendor` fetched at `fetchedAt` (epoch ms): live answers say their data is at least that old. */
  noteReadAt(vendor: Vendor, fetchedAt: number): void {
    const known = this.readAt.get(vendor);
    if (known === undefined || fetchedAt < known) this.readAt.set(vendor, fetchedAt);
  }

  spoil(): void {
    this.cacheable = false;
  }
}
