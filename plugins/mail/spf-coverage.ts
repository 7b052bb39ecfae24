import type { HostResolver } from './smtp-guard.ts';

// Does a domain's published SPF policy let a given mail server send for it,
// and does the domain publish DMARC? Asked before a tenant's mail goes out
// From that domain through its own server, so the console can warn while the
// fix is one DNS record away, rather than after receivers start refusing.
//
// The domain is tenant-chosen and its records are anyone's: every lookup
// counts against the RFC 7208 budget of 10, records are capped in size, and
// what this evaluator does not follow (mx, exists, ptr, macros) answers
// `unknown` instead of a guess.

export type SpfVerdict =
  | { result: 'pass'; mechanism: string }
  | { result: 'none' }
  | { result: 'fail' }
  | { result: 'unknown'; why: string };

const LOOKUP_BUDGET = 10;
const TOO_MANY_LOOKUPS = { result: 'unknown', why: `the SPF record needs more than ${LOOKUP_BUDGET} DNS lookups` } as const;
const MAX_RECORD_CHARS = 4096;

type Budget = { lookups: number };

export async function spfCovers(resolver: HostResolver, domain: string, serverAddresses: string[]): Promise<SpfVerdict> {
  return evaluate(resolver, domain.toLowerCase(), serverAddresses, { lookups: 0 }, true);
}

async function spfRecord(resolver: HostResolver, domain: string): Promise<string | null | 'many'> {
  const records = (await resolver.resolveTxt(domain)).map((parts) => parts.join('')).filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (records.length > 1) return 'many';
  return records[0]?.slice(0, MAX_RECORD_CHARS) ?? null;
}

async function evaluate(resolver: HostResolver, domain: string, addresses: string[], budget: Budget, top: boolean): Promise<SpfVerdict> {
  const record = await spfRecord(resolver, domain);
  if (record === 'many') return { result: 'unknown', why: `${domain} publishes more than one SPF record (receivers treat that as an error)` };
  if (record === null) return top ? { result: 'none' } : { result: 'unknown', why: `${domain}, included by the SPF record, has no SPF record` };
  let redirect: string | null = null;
  let unknown: string | null = null;
  for (const term of record.split(/\s+/).slice(1, 100)) {
    if (term === '') continue;
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(term);
    if (modifier) {
      if (modifier[1]!.toLowerCase() === 'redirect') redirect = modifier[2]!.toLowerCase();
      continue;
    }
    const m = /^([+?~-]?)([a-z0-9]+)(?::([^/]*))?(?:\/(\d+))?(?:\/\/(\d+))?$/i.exec(term);
    if (!m) return { result: 'unknown', why: `the SPF record of ${domain} has a term this check does not read: ${term}` };
    const qualifier = m[1] || '+';
    const name = m[2]!.toLowerCase();
    const argument = m[3];
    if (argument?.includes('%')) {
      unknown ??= `the SPF record of ${domain} uses macros`;
      continue;
    }
    let matched = false;
    if (name === 'all') matched = true;
    else if (name === 'ip4' || name === 'ip6') matched = !!argument && addresses.some((a) => inCidr(a, argument, m[4]));
    else if (name === 'a') {
      if (++budget.lookups > LOOKUP_BUDGET) return TOO_MANY_LOOKUPS;
      const target = (argument || domain).toLowerCase();
      const found = await resolver.resolveAddresses(target);
      matched = addresses.some((a) => found.some((f) => inCidr(a, f, a.includes(':') ? m[5] : m[4])));
    } else if (name === 'include') {
      if (!argument) return { result: 'unknown', why: `include without a domain in the SPF record of ${domain}` };
      if (++budget.lookups > LOOKUP_BUDGET) return TOO_MANY_LOOKUPS;
      const inner = await evaluate(resolver, argument.toLowerCase(), addresses, budget, false);
      if (inner.result === 'unknown') {
        unknown ??= inner.why;
        continue;
      }
      matched = inner.result === 'pass';
    } else if (name === 'mx' || name === 'exists' || name === 'ptr') {
      if (++budget.lookups > LOOKUP_BUDGET) return TOO_MANY_LOOKUPS;
      unknown ??= `the SPF record of ${domain} uses "${name}", which this check does not follow`;
      continue;
    } else {
      return { result: 'unknown', why: `the SPF record of ${domain} has a term this check does not read: ${term}` };
    }
    if (matched) {
      if (qualifier === '+') return { result: 'pass', mechanism: term };
      // A ~all or -all reached: the server is not listed, unless an unfollowed term above would have listed it.
      return unknown ? { result: 'unknown', why: unknown } : { result: 'fail' };
    }
  }
  if (redirect) {
    if (++budget.lookups > LOOKUP_BUDGET) return TOO_MANY_LOOKUPS;
    return evaluate(resolver, redirect, addresses, budget, false);
  }
  return unknown ? { result: 'unknown', why: unknown } : { result: 'fail' };
}

/** The DMARC record for a From domain: its own, else its parent's (an approximation of the organizational domain). */
export async function dmarcRecord(resolver: HostResolver, domain: string): Promise<string | null> {
  const labels = domain.toLowerCase().split('.');
  const candidates = [labels.join('.')];
  if (labels.length > 2) candidates.push(labels.slice(-2).join('.'));
  for (const name of candidates) {
    const found = (await resolver.resolveTxt(`_dmarc.${name}`)).map((p) => p.join('')).find((t) => /^v=DMARC1(\s*;|$)/i.test(t));
    if (found) return found.slice(0, MAX_RECORD_CHARS);
  }
  return null;
}

/** Whether `address` lies in `network`/`prefix` (IPv4 or IPv6); a network of the other family never matches. */
export function inCidr(address: string, network: string, prefix?: string): boolean {
  const a = ipBits(address);
  const n = ipBits(network);
  if (!a || !n || a.width !== n.width) return false;
  const bits = prefix === undefined ? a.width : Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > a.width) return false;
  const shift = BigInt(a.width - bits);
  return a.value >> shift === n.value >> shift;
}

function ipBits(ip: string): { value: bigint; width: 32 | 128 } | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), width: 32 };
  }
  if (!/^[0-9a-f:.]+$/i.test(ip) || ip.length > 45) return null;
  let text = ip.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const p = tail.slice(1).map(Number);
    if (p.some((x) => x > 255)) return null;
    text = text.slice(0, tail.index) + `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
}
