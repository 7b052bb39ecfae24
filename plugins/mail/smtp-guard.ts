// Tenants choose their own SMTP host, so without this check the service would
// open connections into its own network (metadata endpoints, databases,
// admin panels) on a tenant's behalf. The transport connects to the address
// checked here, never to the name again, so DNS rebinding cannot swap it.

/** DNS as the core needs it; Node and DNS-over-HTTPS implementations live in runtime/dns. */
export type HostResolver = {
  /** A and AAAA records of `host`; empty when it has none. */
  resolveAddresses(host: string): Promise<string[]>;
  /** TXT records of `name`, each as its character-strings; empty when there are none. */
  resolveTxt(name: string): Promise<string[][]>;
  /**
   * Addresses the machine itself knows for `host` (the hosts file, `localhost`,
   * the system's resolver), asked only when DNS has none. Absent where there is
   * no such thing (Workers).
   */
  lookupSystem?(host: string): Promise<string[]>;
};

export const SMTP_PORTS: readonly number[] = [25, 465, 587, 2525];

export type SmtpTarget = { host: string; port: number };
export type CheckedSmtpTarget = {
  /** The vetted IP to connect to. */
  address: string;
  /** The host as configured, for TLS SNI and certificate name checks. */
  servername: string;
};
export type SmtpGuardOptions = {
  resolver: HostResolver;
  /** Lets loopback and private ranges through, for self-hosted relays; never link-local, metadata or reserved. */
  allowPrivate?: boolean;
  allowedPorts?: readonly number[];
};

export type SmtpRefusalCode = 'smtp_host_refused' | 'smtp_port_refused';
export type SmtpRefusalReason = 'invalid_host' | 'unresolvable' | 'blocked_address' | 'port_not_allowed';

export class SmtpTargetRefusedError extends Error {
  readonly status = 422;
  constructor(
    readonly code: SmtpRefusalCode,
    readonly reason: SmtpRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpTargetRefusedError';
  }
}

export async function checkSmtpTarget(target: SmtpTarget, options: SmtpGuardOptions): Promise<CheckedSmtpTarget> {
  const allowedPorts = options.allowedPorts ?? SMTP_PORTS;
  if (!Number.isInteger(target.port) || !allowedPorts.includes(target.port)) {
    throw new SmtpTargetRefusedError('smtp_port_refused', 'port_not_allowed', `SMTP port must be one of ${allowedPorts.join(', ')}`);
  }
  const host = normalizeHost(target.host);
  if (!host) throw hostRefused('invalid_host', 'SMTP host is not a valid host name or IP address');
  const allowPrivate = options.allowPrivate ?? false;

  if (host.kind === 'ip') {
    if (!isAllowed(classifyAddress(host.ip), allowPrivate)) throw blockedAddress();
    return { address: canonicalTarget(host.ip), servername: host.ip };
  }

  // RFC 6761 reserves these for loopback; refuse without asking DNS.
  if (!allowPrivate && (host.name === 'localhost' || host.name.endsWith('.localhost'))) throw blockedAddress();

  let addresses: string[] = [];
  let failed = false;
  try {
    addresses = await options.resolver.resolveAddresses(host.name);
  } catch {
    failed = true;
  }
  // A name DNS does not know may still be the operator's own (`localhost`, a
  // hosts-file entry for a relay next door). It is judged by its addresses
  // like any other: through only with allowPrivate when they are private.
  if (addresses.length === 0 && options.resolver.lookupSystem) addresses = await options.resolver.lookupSystem(host.name).catch(() => []);
  if (addresses.length === 0) throw hostRefused('unresolvable', failed ? 'SMTP host could not be resolved' : 'SMTP host has no address records');
  // One bad record is enough to refuse: a name that mixes public and internal
  // addresses is either misconfigured or probing.
  if (!addresses.every((ip) => isAllowed(classifyAddress(ip), allowPrivate))) throw blockedAddress();

  const chosen = addresses.find((ip) => !ip.includes(':')) ?? addresses[0];
  return { address: canonicalTarget(chosen), servername: host.name };
}

const hostRefused = (reason: SmtpRefusalReason, message: string) => new SmtpTargetRefusedError('smtp_host_refused', reason, message);
// The message stays vague on purpose: naming the range would turn the check into an oracle for internal DNS.
const blockedAddress = () => hostRefused('blocked_address', 'SMTP host points at a private, internal or reserved address');

export type AddressClass = 'public' | 'private' | 'loopback' | 'link_local' | 'metadata' | 'reserved';

function isAllowed(cls: AddressClass | null, allowPrivate: boolean): boolean {
  if (cls === 'public') return true;
  return allowPrivate && (cls === 'private' || cls === 'loopback');
}

// ---- host names -------------------------------------------------------------

type NormalizedHost = { kind: 'ip'; ip: string } | { kind: 'name'; name: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function normalizeHost(raw: string): NormalizedHost | null {
  if (typeof raw !== 'string') return null;
  let host = raw.trim().toLowerCase();
  if (!host || host.length > 255) return null;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.includes(':')) return parseIpv6(host) ? { kind: 'ip', ip: host } : null;
  if (/[\s/\\@?#%[\]]/.test(host)) return null;

  // The URL parser applies IDNA and turns the odd IPv4 spellings some
  // resolvers accept (`0x7f.1`, `2130706433`) into dotted quads, so those are
  // judged as the addresses they really are.
  let hostname: string;
  try {
    hostname = new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
  if (parseIpv4(hostname) !== null) return { kind: 'ip', ip: hostname };
  const name = hostname.replace(/\.$/, '');
  if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) return null;
  // All-numeric last label is not a real TLD; a resolver might still read it as an address.
  if (/^\d+$/.test(name.slice(name.lastIndexOf('.') + 1))) return null;
  return { kind: 'name', name };
}

/** An IPv4-mapped IPv6 address is dialled as the plain IPv4 address it names. */
function canonicalTarget(ip: string): string {
  const groups = parseIpv6(ip);
  if (groups && isMappedV4(groups)) return formatV4(((groups[6] << 16) | groups[7]) >>> 0);
  return ip;
}

// ---- parsing ----------------------------------------------------------------

const V4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Strict dotted quad only; other spellings are handled by normalizeHost. */
function parseIpv4(text: string): number | null {
  if (!V4_PATTERN.test(text)) return null;
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function formatV4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** Eight 16-bit groups, or null. Zone ids (`%eth0`) are refused: they only name link-local scopes. */
function parseIpv6(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return null;
  let tail: number[] = [];
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null || lastColon < 1) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    // Keep a "::" that precedes the quad; drop a lone separator colon.
    const prefix = text.slice(0, lastColon + 1);
    body = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parseGroups(halves[0]);
  const rest = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (![...head, ...rest].every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return null;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const fill = new Array<number>(8 - explicit).fill(0);
  const toNumbers = (groups: string[]) => groups.map((group) => parseInt(group, 16));
  return [...toNumbers(head), ...(halves.length === 2 ? fill : []), ...toNumbers(rest), ...tail];
}

// ---- address classification -------------------------------------------------

const V4_METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200']);

// Order matters only for readability: the ranges do not overlap.
const V4_RANGES: Array<[string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'reserved'], // "this network", includes 0.0.0.0
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT / shared address space
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'], // includes cloud metadata
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // TEST-NET-1
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // TEST-NET-2
  ['203.0.113.0', 24, 'reserved'], // TEST-NET-3
  ['224.0.0.0', 4, 'reserved'], // multicast
  ['240.0.0.0', 4, 'reserved'], // future use and 255.255.255.255
];
const V4_TABLE = V4_RANGES.map(([base, bits, cls]) => {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { net: (parseIpv4(base)! & mask) >>> 0, mask, cls };
});

/** Classifies an IPv4 or IPv6 literal; null when it is not one. */
export function classifyAddress(ip: string): AddressClass | null {
  const v4 = parseIpv4(ip);
  if (v4 !== null) return classifyV4(v4);
  const v6 = parseIpv6(ip);
  return v6 ? classifyV6(v6) : null;
}

function classifyV4(value: number): AddressClass {
  if (V4_METADATA.has(formatV4(value))) return 'metadata';
  for (const range of V4_TABLE) {
    if (((value & range.mask) >>> 0) === range.net) return range.cls;
  }
  return 'public';
}

function classifyV6(g: number[]): AddressClass {
  const embedded = (hi: number, lo: number) => classifyV4(((hi << 16) | lo) >>> 0);
  const zeroes = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);

  if (zeroes(0, 7) && g[7] === 0) return 'reserved'; // ::
  if (zeroes(0, 7) && g[7] === 1) return 'loopback'; // ::1
  if (isMappedV4(g)) return embedded(g[6], g[7]); // ::ffff:a.b.c.d
  if (zeroes(0, 6)) return 'reserved'; // deprecated IPv4-compatible ::a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeroes(2, 6)) return embedded(g[6], g[7]); // NAT64 64:ff9b::/96
  if (g[0] === 0x2002) return embedded(g[1], g[2]); // 6to4 2002:aabb:ccdd::/48
  if (g[0] === 0x2001 && g[1] < 0x200) return 'reserved'; // IETF assignments incl. Teredo
  if (g[0] === 0x2001 && g[1] === 0xdb8) return 'reserved'; // documentation
  if (g[0] === 0x3fff && g[1] < 0x1000) return 'reserved'; // documentation 3fff::/20
  if (g[0] === 0xfd00 && g[1] === 0xec2 && zeroes(2, 7) && g[7] === 0x254) return 'metadata'; // AWS IMDS
  if ((g[0] & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return 'link_local'; // fe80::/10
  // Everything outside global unicast 2000::/3 (multicast, site-local,
  // discard-only, NAT64 local-use, unassigned) is no place for a mail server.
  if ((g[0] & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}

function isMappedV4(g: number[]): boolean {
  return g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
}
