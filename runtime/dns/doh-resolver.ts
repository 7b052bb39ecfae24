import type { HostResolver } from '../../plugins/mail/smtp-guard.ts';

// Workers have no UDP, so DNS goes over HTTPS with the JSON API that
// Cloudflare and Google both serve (application/dns-json).

export type DohResolverOptions = {
  endpoint?: string;
  timeoutMs?: number;
  /** Injected for runtimes that wrap fetch; the global one otherwise. */
  fetch?: typeof fetch;
};

type DnsJsonAnswer = { name: string; type: number; TTL?: number; data: string };
type DnsJsonResponse = { Status: number; Answer?: DnsJsonAnswer[] };

const TYPE = { A: 1, AAAA: 28, TXT: 16 } as const;
const NOERROR = 0;
const NXDOMAIN = 3;

export function createDohResolver(options: DohResolverOptions = {}): HostResolver {
  const endpoint = options.endpoint ?? 'https://cloudflare-dns.com/dns-query';
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function query(name: string, type: number): Promise<string[]> {
    const url = new URL(endpoint);
    url.searchParams.set('name', name);
    url.searchParams.set('type', String(type));
    const response = await doFetch(url, {
      headers: { accept: 'application/dns-json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`DNS-over-HTTPS query failed with HTTP ${response.status}`);
    const body = (await response.json()) as DnsJsonResponse;
    if (body.Status === NXDOMAIN) return [];
    if (body.Status !== NOERROR) throw new Error(`DNS-over-HTTPS query failed with rcode ${body.Status}`);
    // CNAMEs on the way come back in Answer too; keep only the type asked for.
    return (body.Answer ?? []).filter((answer) => answer.type === type).map((answer) => answer.data);
  }

  return {
    async resolveAddresses(host) {
      const [v4, v6] = await Promise.allSettled([query(host, TYPE.A), query(host, TYPE.AAAA)]);
      const found = [v4, v6].flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
      if (found.length > 0) return found;
      if (v4.status === 'rejected') throw v4.reason;
      if (v6.status === 'rejected') throw v6.reason;
      return [];
    },
    async resolveTxt(name) {
      return (await query(name, TYPE.TXT)).map(parseTxtData);
    },
  };
}

/**
 * Cloudflare writes TXT data in zone-file form (`"part one" "part two"`, with
 * `\"` and `\DDD` escapes); Google writes the bare text. Both become the list
 * of character-strings that node:dns would return.
 */
export function parseTxtData(data: string): string[] {
  if (!data.startsWith('"')) return [data];
  const parts: string[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] !== '"') {
      i++;
      continue;
    }
    let text = '';
    i++;
    while (i < data.length && data[i] !== '"') {
      if (data[i] === '\\' && /^\d{3}$/.test(data.slice(i + 1, i + 4))) {
        text += String.fromCharCode(Number(data.slice(i + 1, i + 4)));
        i += 4;
      } else if (data[i] === '\\' && i + 1 < data.length) {
        text += data[i + 1];
        i += 2;
      } else {
        text += data[i++];
      }
    }
    parts.push(text);
    i++;
  }
  return parts;
}
