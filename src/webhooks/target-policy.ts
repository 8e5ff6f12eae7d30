import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may be sent (SSRF rules): https only (http where config
 * allows), no credentials in the URL, and only to public unicast addresses:
 * no loopback, private (RFC 1918, fc00::/7), link-local (cloud metadata at
 * 169.254.169.254 among them), CGNAT, multicast, unspecified, reserved or
 * translated (IPv4-mapped IPv6 is judged as the IPv4 address it maps).
 * `allowPrivateTargets` admits private, loopback, CGNAT and unique-local
 * addresses, never link-local or metadata; `allowedTargetCidrs` admits blocks
 * whatever their range.
 *
 * Checked at registration (every address the name resolves to must pass) and
 * again at each connection: `lookup` resolves, keeps the addresses that pass
 * and hands only those to the socket, so the address connected to is the one
 * checked (no DNS-rebinding window between check and connect).
 */

export type TargetRefusal =
  /** Not http(s), http where only https is allowed, user info in the URL, or not a URL at all. */
  | 'INVALID_URL'
  | 'SCHEME_NOT_ALLOWED'
  /** The name does not resolve. */
  | 'UNRESOLVABLE'
  /** It resolves to an address the rules refuse. */
  | 'ADDRESS_NOT_ALLOWED';

export class TargetRefusedError extends Error {
  readonly code = 'ETARGETREFUSED';
  constructor(
    readonly reason: TargetRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

export interface TargetPolicyOptions {
  readonly allowHttp: boolean;
  readonly allowPrivateTargets: boolean;
  readonly allowedTargetCidrs: readonly string[];
  /** Resolves a name to every address (tests resolve names without DNS). @default dns.lookup with all: true */
  readonly resolve?: (hostname: string) => Promise<readonly { address: string; family: number }[]>;
}

export interface TargetPolicy {
  /** Whether a single address may be connected to. */
  allows(address: string): boolean;
  /** Checks a URL and every address its host resolves to; throws TargetRefusedError. */
  check(url: string): Promise<URL>;
  /** For sockets (undici's `connect.lookup`): only addresses that pass; ETARGETREFUSED when none does. */
  readonly lookup: LookupFunction;
}

/** Admitted by `allowPrivateTargets`: networks of one's own, never link-local (metadata lives there). */
const PRIVATE_RANGES = new Set(['private', 'loopback', 'carrierGradeNat', 'uniqueLocal']);
/** Metadata services outside link-local (Alibaba Cloud, AWS over IPv6): refused even with `allowPrivateTargets`. */
const METADATA = ['100.100.100.200', 'fd00:ec2::254'].map((a) => ipaddr.parse(a).toNormalizedString());

const defaultResolve = async (hostname: string) => dnsLookup(hostname, { all: true, verbatim: true });

export function createTargetPolicy(options: TargetPolicyOptions): TargetPolicy {
  const allowed = options.allowedTargetCidrs.map((cidr) =>
    cidr.includes('/')
      ? ipaddr.parseCIDR(cidr)
      : ([ipaddr.parse(cidr), ipaddr.parse(cidr).kind() === 'ipv4' ? 32 : 128] as const),
  );
  const resolve = options.resolve ?? defaultResolve;

  const allows = (address: string): boolean => {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.parse(address);
    } catch {
      return false;
    }
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    if (allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return true;
    const range = ip.range();
    if (range === 'unicast') return true;
    return options.allowPrivateTargets && PRIVATE_RANGES.has(range) && !METADATA.includes(ip.toNormalizedString());
  };

  /** Every address of the host; the passing ones, or TargetRefusedError. */
  const addressesOf = async (hostname: string, all: boolean) => {
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    let addresses: readonly { address: string; family: number }[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await resolve(host);
      } catch {
        throw new TargetRefusedError('UNRESOLVABLE', 'The host name does not resolve');
      }
    }
    const passing = addresses.filter((a) => allows(a.address));
    if (passing.length === 0 || (all && passing.length < addresses.length))
      throw new TargetRefusedError(
        'ADDRESS_NOT_ALLOWED',
        'The host resolves to a loopback, private, link-local or otherwise reserved address, which webhooks may not target',
      );
    return passing;
  };

  return {
    allows,
    async check(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new TargetRefusedError('INVALID_URL', 'The URL does not parse');
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowHttp))
        throw new TargetRefusedError(
          'SCHEME_NOT_ALLOWED',
          options.allowHttp ? 'The URL must be http or https' : 'The URL must be https',
        );
      if (url.username || url.password)
        throw new TargetRefusedError('INVALID_URL', 'The URL must not carry a user name or password');
      await addressesOf(url.hostname, true);
      return url;
    },
    lookup: (hostname, lookupOptions, callback) => {
      addressesOf(hostname, false).then(
        (passing) => {
          const family =
            lookupOptions.family === 6 || lookupOptions.family === 'IPv6'
              ? 6
              : lookupOptions.family === 4 || lookupOptions.family === 'IPv4'
                ? 4
                : 0;
          const fitting = family === 0 ? passing : passing.filter((a) => a.family === family);
          const chosen = fitting.length > 0 ? fitting : passing;
          if (lookupOptions.all)
            callback(
              null,
              chosen.map((a) => ({ address: a.address, family: a.family })),
            );
          else callback(null, chosen[0]!.address, chosen[0]!.family);
        },
        (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
      );
    },
  };
}
