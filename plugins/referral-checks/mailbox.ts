// One mailbox can be spelled many ways: case, a `+tag` after the local part,
// and, at providers that ignore them, dots in the local part. Self-referral
// and block checks compare the canonical spelling.
//
// The provider list is kept small on purpose: only providers documented to
// ignore dots (Google: "Gmail doesn't recognize dots as characters within
// usernames") and their alias domains. Widening it merges mailboxes that are
// in fact distinct at other providers.

/** Domains whose local part ignores dots, each mapped to its canonical domain. */
export const DOT_INSENSITIVE_DOMAINS: Readonly<Record<string, string>> = {
  'gmail.com': 'gmail.com',
  'googlemail.com': 'gmail.com',
};

/** The domain of an address, lower-cased: what follows the last `@`; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
}

/**
 * The canonical spelling of a mailbox: lower case, without a `+tag`, and
 * without dots where the provider ignores them (on its canonical domain).
 * A quoted local part is kept as written (lower-cased): its `+` and dots are
 * literal. Linear in the address's length.
 */
export function normalizeMailbox(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return trimmed;
  let local = trimmed.slice(0, at);
  let domain = domainOf(trimmed);
  if (local.startsWith('"') && local.endsWith('"')) return `${local}@${domain}`;
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const canonical = DOT_INSENSITIVE_DOMAINS[domain];
  if (canonical) {
    domain = canonical;
    local = local.replaceAll('.', '');
  }
  return `${local}@${domain}`;
}

/**
 * A domain and its parents, most specific first, down to two labels
 * (`a.b.example.com`, `b.example.com`, `example.com`): what a domain entry
 * in a list covers. At most `max`: past that the deepest ones are dropped,
 * but the two-label tail always stays, so a deep subdomain cannot hide it.
 */
export function domainSuffixes(domain: string, max = 5): string[] {
  const labels = domain.split('.').filter((l) => l !== '');
  if (labels.length < 2) return labels.length === 1 ? [labels[0]] : [];
  const all = labels.length - 1;
  const out: string[] = [];
  for (let i = 0; i < Math.min(all, max - 1); i++) out.push(labels.slice(i).join('.'));
  const tail = labels.slice(-2).join('.');
  if (out[out.length - 1] !== tail) out.push(tail);
  return out;
}
