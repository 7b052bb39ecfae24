// The bytes of SMTP (RFC 5321) for the socket-level client: reading replies,
// writing commands, and putting a message on the wire. Nothing here knows
// which runtime the socket comes from.

import { parseMailbox } from './address.ts';

export type SmtpReply = { code: number; lines: string[] };

export class SmtpWireError extends Error {
  constructor(
    readonly kind: 'closed' | 'garbled' | 'timeout' | 'unsafe',
    message: string,
  ) {
    super(message);
    this.name = 'SmtpWireError';
  }
}

const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;
const MAX_REPLY_BYTES = 64 * 1024;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextEncoder();

/** Reads CRLF-terminated replies; a multi-line reply (`250-…` then `250 …`) comes back as one. */
export class ReplyReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.reader = readable.getReader();
  }

  /** Bytes received but not yet read as a reply; must be empty when TLS starts (else they were injected before it). */
  get pending(): number {
    return this.buffer.length;
  }

  async read(timeoutMs: number): Promise<SmtpReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine(timeoutMs);
      const match = REPLY_LINE.exec(line);
      const code = match ? Number(match[1]) : NaN;
      if (!match || code < 200 || code > 599 || (lines.length > 0 && code !== Number(lines[0].slice(0, 3)))) {
        throw new SmtpWireError('garbled', `not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`);
      }
      lines.push(line);
      if (match[2] !== '-') return { code, lines: lines.map((l) => l.slice(4)) };
    }
  }

  release(): void {
    this.reader.releaseLock();
  }

  private async readLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return line;
      }
      if (this.buffer.length > MAX_REPLY_BYTES) throw new SmtpWireError('garbled', 'reply line too long');
      const chunk = await withTimeout(this.reader.read(), deadline - Date.now());
      if (chunk.done) throw new SmtpWireError('closed', 'the server closed the connection');
      // Replies are ASCII; latin1 keeps every byte as one character, so nothing garbles mid-sequence.
      this.buffer += latin1.decode(chunk.value);
    }
  }
}

/** One command line. Anything that could end the line early is refused before it reaches the socket. */
export function commandBytes(command: string): Uint8Array {
  if (/[\r\n\0]/.test(command)) throw new SmtpWireError('unsafe', 'an SMTP command must not contain CR, LF or NUL');
  return utf8.encode(`${command}\r\n`);
}

/** A mailbox for MAIL FROM / RCPT TO: exactly one bare address, so nothing can ride along as a parameter or a second recipient. */
export function pathArgument(address: string): string {
  if (parseMailbox(address)?.address !== address || /\s/.test(address)) {
    throw new SmtpWireError('unsafe', 'the SMTP envelope takes exactly one plain mailbox');
  }
  return `<${address}>`;
}

/**
 * The DATA payload: every line ending made CRLF (a bare CR or LF is how
 * SMTP smuggling splits one message into two), lines starting with a dot
 * doubled, and the terminating `.` line added.
 */
export function dataBytes(message: string): Uint8Array {
  const lines = message.replace(/\r\n|\r|\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const stuffed = lines.map((line) => (line.startsWith('.') ? `.${line}` : line));
  return utf8.encode(`${stuffed.join('\r\n')}\r\n.\r\n`);
}

export function replyText(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' ')}`.trim();
}

export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return Promise.reject(new SmtpWireError('timeout', 'the server did not answer in time'));
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmtpWireError('timeout', 'the server did not answer in time')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
