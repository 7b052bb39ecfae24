import blocklist from 'disposable-email-domains-js/dist/dict/disposable_email_blocklist.json' with { type: 'json' };

// The community-kept disposable-email-domains blocklist (CC0), as packaged by
// disposable-email-domains-js: about 9,000 domains, some 50 KB gzipped in a
// Worker bundle. Only its JSON is imported, not the package's entry, which
// builds a new Set on every call. Built once, on first use.

let domains: ReadonlySet<string> | null = null;

export function isDisposableDomain(domain: string): boolean {
  domains ??= new Set(blocklist as string[]);
  return domains.has(domain);
}
