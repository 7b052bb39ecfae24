import { createHarness, type Harness } from './app-harness.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp-servers.ts';
import { createSmtpTransport } from '../../plugins/mail/transports/smtp-transport.ts';
import type { MailTransport } from '../../plugins/types.ts';

// The app with its built-in sender pointed at a real SMTP server on
// 127.0.0.1: notification tests read what a mail server actually received,
// decoded from the raw message.

export type ReceivedMail = { to: string; subject: string; text: string; html: string; headers: Record<string, string>; raw: string };

export type MailHarness = Harness & {
  smtp: TestSmtpServer;
  /** Delivers everything due in the outbox and returns every message the server received so far, decoded. */
  delivered(): Promise<ReceivedMail[]>;
  /** The delivered messages to one address. */
  inbox(address: string): Promise<ReceivedMail[]>;
};

export async function createMailHarness(dialect: 'sqlite' | 'postgres', o: Parameters<typeof createHarness>[1] = {}): Promise<MailHarness> {
  const smtp = await startSmtpServer({ mode: 'plain' });
  const transport: MailTransport = createSmtpTransport({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    checked: { address: '127.0.0.1', servername: '127.0.0.1' },
    timeouts: { connectionMs: 5_000, greetingMs: 5_000, socketMs: 5_000 },
  });
  const h = await createHarness(dialect, { ...o, builtinTransport: transport });
  const delivered = async () => {
    await h.services.dispatcher.idle();
    await h.services.dispatcher.drain();
    await h.services.dispatcher.idle();
    return smtp.messages.map((m) => ({ to: m.to.join(','), ...parseMessage(m.raw) }));
  };
  return {
    ...h,
    smtp,
    delivered,
    async inbox(address) {
      return (await delivered()).filter((m) => m.to === address.toLowerCase() || m.to === address);
    },
    async close() {
      await h.close();
      await transport.close();
      await smtp.close();
    },
  };
}

/** The first link in a message's text part whose URL has a `token` parameter. */
export function tokenLink(mail: ReceivedMail): URL {
  const found = mail.text.match(/https?:\/\/\S+/g)?.map((s) => new URL(s)).find((u) => u.searchParams.has('token'));
  if (!found) throw new Error(`no token link in: ${mail.text}`);
  return found;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? '7bit').toLowerCase();
  if (enc === 'quoted-printable') {
    const bytes: number[] = [];
    const soft = body.replace(/=\r\n/g, '');
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(soft.charCodeAt(i));
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
  if (enc === 'base64') return new TextDecoder().decode(Uint8Array.from(atob(body.replace(/\s+/g, '')), (ch) => ch.charCodeAt(0)));
  return body;
}

/** RFC 2047 encoded words in a header, as nodemailer writes them for non-ASCII subjects. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BQbq])\?([^?]*)\?=\s*/g, (_m, _charset, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? decodeBody(text, 'base64') : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
  );
}

function parseMessage(raw: string): Omit<ReceivedMail, 'to'> {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  let text = '';
  let html = '';
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [raw.slice(0, split) + '\r\n\r\n' + body];
  for (const part of parts) {
    const p = part.replace(/^\r\n/, '');
    const at = p.indexOf('\r\n\r\n');
    const h = parseHeaders(p.slice(0, at));
    const content = decodeBody(p.slice(at + 4).replace(/\r\n$/, ''), h['content-transfer-encoding']).replace(/\r\n/g, '\n');
    if ((h['content-type'] ?? '').startsWith('text/plain')) text = content;
    else if ((h['content-type'] ?? '').startsWith('text/html')) html = content;
  }
  return { subject: decodeWords(headers.subject ?? ''), text, html, headers, raw };
}
