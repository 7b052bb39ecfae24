import ipaddr from 'ipaddr.js';

// Who the client is. Forwarded-address headers are written by whoever sent
// the request, so they are believed only when the operator says a proxy in
// front of us writes them (TRUST_PROXY); otherwise the client is the peer of
// the socket (on Workers, Cloudflare's CF-Connecting-IP, which the entry
// hands in as the peer).

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export type TrustProxy =
  /** Nothing in front of us is trusted: the peer is the client. */
  | { kind: 'off' }
  /** Cloudflare is in front: CF-Connecting-IP is the client (the origin must only accept Cloudflare). */
  | { kind: 'cloudflare' }
  /** Proxies at these addresses append the address they saw to X-Forwarded-For. */
  | { kind: 'proxies'; ranges: Range[] };

const MAX_HOPS = 32;

/** `off` (or empty), `cloudflare`, or a comma-separated list of addresses and CIDRs; throws naming a bad entry. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim();
  if (text === '' || text === 'off' || text === 'false') return { kind: 'off' };
  if (text === 'cloudflare') return { kind: 'cloudflare' };
  const ranges = text.split(',').map((entry): Range => {
    const item = entry.trim();
    try {
      if (item.includes('/')) {
        const [address, bits] = ipaddr.parseCIDR(item);
        // `::ffff:10.0.0.0/104` is 10.0.0.0/8: peers are matched in their IPv4 form.
        const mapped = address.kind() === 'ipv6' && normalize(address).kind() === 'ipv4';
        if (mapped && bits < 96) throw new Error('mapped range wider than IPv4');
        return [normalize(address), mapped ? bits - 96 : bits];
      }
      const address = normalize(ipaddr.parse(item));
      return [address, address.kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new Error(`"${item}" is not an IP address or CIDR range`);
    }
  });
  return { kind: 'proxies', ranges };
}

/** The address in its canonical form (an IPv4-mapped IPv6 address as IPv4), or null when `text` is not one. */
export function canonicalAddress(text: string | null | undefined): string | null {
  const address = parseAddress(text);
  return address ? address.toString() : null;
}

/** Whether the request reached us through a proxy the operator trusts (for X-Forwarded-Proto too). */
export function viaTrustedProxy(trust: TrustProxy, peer: string | null): boolean {
  if (trust.kind === 'cloudflare') return true;
  if (trust.kind === 'off') return false;
  return isTrusted(trust.ranges, parseAddress(peer));
}

/**
 * The client's address under `trust`. With proxies: X-Forwarded-For is walked
 * from the right, past each hop that is itself a trusted proxy; the first
 * untrusted hop is the client (everything to its left was written by the
 * client and proves nothing). Null only when nothing is known.
 */
export function clientAddress(trust: TrustProxy, peer: string | null, header: (name: string) => string | undefined): string | null {
  const peerAddress = canonicalAddress(peer) ?? peer ?? null;
  if (trust.kind === 'off') return peerAddress;
  if (trust.kind === 'cloudflare') return canonicalAddress(header('cf-connecting-ip')?.trim()) ?? peerAddress;
  if (!isTrusted(trust.ranges, parseAddress(peer))) return peerAddress;
  const hops = (header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean).slice(-MAX_HOPS);
  let client = peerAddress;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]);
    // Not an address: our proxies write addresses, so this came from the other side. Stop at the last we know.
    if (!hop) return client;
    client = hop.toString();
    if (!isTrusted(trust.ranges, hop)) return client;
  }
  return client;
}

function parseAddress(text: string | null | undefined): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!text) return null;
  // `[::1]` and zone ids (`fe80::1%eth0`) are how some servers print a peer.
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return ipaddr.isValid(bare) ? normalize(ipaddr.parse(bare)) : null;
}

function normalize(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

function isTrusted(ranges: Range[], address: ipaddr.IPv4 | ipaddr.IPv6 | null): boolean {
  return !!address && ranges.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));
}
