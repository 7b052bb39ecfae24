import emailAddresses from 'email-addresses';

// Addresses reach headers and the SMTP envelope, so anything looser than
// "exactly one mailbox" lets a caller add recipients or headers.

export type Mailbox = { address: string; name?: string };

// CR and LF end a header line; NUL truncates it in some MTAs.
const HEADER_BREAKERS = /[\r\n\0]/;
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*$/;
// Letters beyond ASCII are allowed for internationalised domains (RFC 6532).
const DOMAIN_LABEL = /^[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]{0,61}[A-Za-z0-9\u0080-\uFFFF])?$/;

/** True when `value` can sit in a header (display name, subject) without starting a new one. */
export function isSafeHeaderText(value: string): boolean {
  return !HEADER_BREAKERS.test(value);
}

/** Parses exactly one RFC 5322 mailbox (`a@b.c` or `"Name" <a@b.c>`); anything else is null. */
export function parseMailbox(input: string): Mailbox | null {
  const parts = mailboxParts(input);
  if (!parts) return null;
  return parts.name ? { address: parts.address, name: parts.name } : { address: parts.address };
}

/**
 * The domain of exactly one mailbox, lower-cased, as the parser reads it; null
 * when `input` is not one mailbox. Never take the text after an `@`: a quoted
 * local part, a display name or a comment may hold one (`"x@a.com@"@b.com` is
 * a mailbox at b.com).
 */
export function mailboxDomain(input: string): string | null {
  return mailboxParts(input)?.domain.toLowerCase() ?? null;
}

// The common case, a bare ASCII `local@domain` with a dot-atom local part:
// the parser reads it as exactly these two parts, and it costs a tenth of a
// millisecond a call, twice for every email sent.
const PLAIN_ADDRESS = /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@([A-Za-z0-9.-]+)$/;

function mailboxParts(input: string): { address: string; domain: string; name?: string } | null {
  if (typeof input !== 'string' || input.length > 998 || !isSafeHeaderText(input)) return null;
  const plain = PLAIN_ADDRESS.exec(input);
  if (plain) return plain[1].length <= 64 && input.length <= 254 && isPlainDomain(plain[2]) ? { address: input, domain: plain[2] } : null;
  const parsed = emailAddresses.parseOneAddress({ input, rfc6532: true, rejectTLD: true });
  if (!parsed || parsed.type !== 'mailbox') return null;

  const { local, domain } = parsed;
  if (!local || local.length > 64 || !isPlainDomain(domain)) return null;
  // The parser hands back the unquoted local part; re-quote it so the address
  // still means the same mailbox when it goes into a header or MAIL FROM.
  const localPart = DOT_ATOM.test(local) ? local : `"${local.replace(/(["\\])/g, '\\$1')}"`;
  const address = `${localPart}@${domain}`;
  if (address.length > 254) return null;

  const name = parsed.name?.trim();
  if (name && !isSafeHeaderText(name)) return null;
  return name ? { address, domain, name } : { address, domain };
}

export function isSingleAddress(input: string): boolean {
  return parseMailbox(input) !== null;
}

// Domain literals (`[1.2.3.4]`) and dotless names are legal RFC 5322 but are
// how mail gets aimed at internal hosts, so only ordinary dotted names pass.
function isPlainDomain(domain: string): boolean {
  if (!domain || domain.length > 253) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label));
}
