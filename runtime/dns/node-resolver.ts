import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostResolver } from '../../plugins/mail/smtp-guard.ts';

export type NodeResolverOptions = {
  /** `host:port` (or `[v6]:port`) of the DNS server to ask, from DNS_RESOLVER; the system's servers otherwise. */
  server?: string;
  /** Per-attempt timeout; the resolver tries twice. */
  timeoutMs?: number;
};

// Answers that mean "this name has no such records" rather than "DNS failed".
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

/**
 * DNS through c-ares first, so odd address spellings and the hosts file never
 * override what DNS says; getaddrinfo (the hosts file, `localhost`) only for
 * names DNS does not know, and the guard judges those by their addresses.
 */
export function createNodeResolver(options: NodeResolverOptions = {}): HostResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: 2 });
  if (options.server) resolver.setServers([parseServer(options.server)]);

  return {
    async resolveAddresses(host) {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      const found = [v4, v6].flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
      if (found.length > 0) return found;
      // Only report "no addresses" when both lookups said so; a timeout or
      // SERVFAIL must surface as a failure, not as a missing host.
      const failure = [v4, v6].find((result) => result.status === 'rejected' && !NO_RECORDS.has(errorCode(result.reason)));
      if (failure && failure.status === 'rejected') throw failure.reason;
      return [];
    },
    async lookupSystem(host) {
      const found = await lookup(host, { all: true, verbatim: true });
      return found.map((a) => a.address);
    },
    async resolveTxt(name) {
      try {
        return await resolver.resolveTxt(name);
      } catch (error) {
        if (NO_RECORDS.has(errorCode(error))) return [];
        throw error;
      }
    },
  };
}

/** c-ares takes IP literals only, so a name here is a configuration error worth reporting at start. */
function parseServer(server: string): string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+))(?::(\d{1,5}))?$/.exec(server.trim());
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] ? Number(match[3]) : 53;
  if (!host || !isIP(host) || port < 1 || port > 65535) {
    throw new Error(`DNS_RESOLVER must be ip:port (or [ipv6]:port), got "${server}"`);
  }
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
}
