import type { HostResolver } from './smtp-guard.ts';

// WebCrypto only: keys are made wherever the core runs (Node, Deno, Workers);
// signing itself happens in the SMTP transport.

export type DkimKeyPair = {
  /** PKCS#8 PEM, what nodemailer's DKIM signer takes. */
  privateKeyPem: string;
  /** SPKI DER in base64, the `p=` value of the DNS record. */
  publicKeyBase64: string;
};

export type DnsRecord = {
  type: 'TXT';
  name: string;
  value: string;
  purpose: 'dkim' | 'spf' | 'dmarc';
  /** Why the record matters or how to merge it with one already published. */
  note: string;
};

export type DkimCheck =
  | { ok: true }
  | { ok: false; reason: 'not_found' | 'mismatch' | 'lookup_failed'; message: string };

const ALGORITHM: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

export async function generateDkimKeyPair(): Promise<DkimKeyPair> {
  const pair = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
  const spki = await crypto.subtle.exportKey('spki', pair.publicKey);
  const body = toBase64(pkcs8).replace(/.{1,64}/g, '$&\n');
  return {
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----\n`,
    publicKeyBase64: toBase64(spki),
  };
}

export function dkimRecordName(domain: string, selector: string): string {
  return `${checkSelector(selector)}._domainkey.${checkDomain(domain)}`;
}

/** The records a tenant publishes for a custom sending domain. */
export function dkimRecords(domain: string, selector: string, publicKeyBase64: string, spfInclude?: string): DnsRecord[] {
  const name = checkDomain(domain);
  const records: DnsRecord[] = [
    {
      type: 'TXT',
      name: dkimRecordName(name, selector),
      value: `v=DKIM1; k=rsa; p=${checkBase64(publicKeyBase64)}`,
      purpose: 'dkim',
      note: 'Public key that receivers use to check the DKIM signature. Some DNS panels split long values into several strings; that is fine.',
    },
  ];
  if (spfInclude) {
    records.push({
      type: 'TXT',
      name,
      value: `v=spf1 include:${checkDomain(spfInclude)} ~all`,
      purpose: 'spf',
      note: `A domain may publish only one SPF record: if it has one, add "include:${spfInclude}" to it instead.`,
    });
  }
  records.push({
    type: 'TXT',
    name: `_dmarc.${name}`,
    value: 'v=DMARC1; p=none',
    purpose: 'dmarc',
    note: 'A starting policy that only monitors; tighten to quarantine or reject once reports look clean. Keep an existing DMARC record.',
  });
  return records;
}

/** Looks the DKIM record up and checks that it carries exactly this public key. */
export async function verifyDkimRecord(resolver: HostResolver, domain: string, selector: string, publicKeyBase64: string): Promise<DkimCheck> {
  const name = dkimRecordName(domain, selector);
  let records: string[][];
  try {
    records = await resolver.resolveTxt(name);
  } catch {
    return { ok: false, reason: 'lookup_failed', message: `Could not look up ${name}; try again later` };
  }
  // A long key is split over several character-strings; they concatenate with nothing between.
  const keys = records.map((chunks) => parseTags(chunks.join(''))).filter((tags) => (tags.get('v') ?? 'DKIM1') === 'DKIM1' && tags.has('p'));
  if (keys.length === 0) return { ok: false, reason: 'not_found', message: `No DKIM record found at ${name}` };
  const expected = stripSpace(publicKeyBase64);
  if (keys.some((tags) => stripSpace(tags.get('p')!) === expected && (tags.get('k') ?? 'rsa') === 'rsa')) return { ok: true };
  return { ok: false, reason: 'mismatch', message: `The DKIM record at ${name} holds a different public key` };
}

function parseTags(record: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return tags;
}

const stripSpace = (value: string) => value.replace(/\s+/g, '');

// These go into DNS names a tenant copies into their zone, so keep them to plain labels.
function checkDomain(domain: string): string {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  if (name.length > 253 || !name.includes('.') || !name.split('.').every((part) => label.test(part))) {
    throw new Error(`Not a valid domain name: ${domain}`);
  }
  return name;
}

function checkSelector(selector: string): string {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(selector)) {
    throw new Error(`Not a valid DKIM selector: ${selector}`);
  }
  return selector.toLowerCase();
}

function checkBase64(value: string): string {
  const compact = stripSpace(value);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error('DKIM public key must be base64');
  return compact;
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
