import { ReplyReader, SmtpWireError, commandBytes, dataBytes, pathArgument, replyText, withTimeout, type SmtpReply } from './smtp-wire.ts';

// An SMTP client session over a Web-streams socket: the shape of
// `cloudflare:sockets`, which the Workers entry passes in. It exists because
// nodemailer's own connections need node:tls, which fails on workerd; the
// message itself is still built by nodemailer (mime-message.ts).

/** The subset of a `cloudflare:sockets` Socket this client uses. */
export type SmtpSocket = {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened: Promise<unknown>;
  close(): Promise<void>;
  /** Upgrades in place; only on a socket opened with secureTransport "starttls". */
  startTls(): SmtpSocket;
};

export type SocketConnector = (
  address: { hostname: string; port: number },
  options: { secureTransport: 'off' | 'on' | 'starttls'; allowHalfOpen: boolean },
) => SmtpSocket;

export type SessionStage = 'connect' | 'tls' | 'greeting' | 'ehlo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data';
export type SessionFault = 'reply' | 'closed' | 'garbled' | 'timeout' | 'unsafe' | 'unreachable' | 'tls' | 'no_starttls' | 'no_auth';

export class SmtpSessionError extends Error {
  constructor(
    readonly stage: SessionStage,
    readonly fault: SessionFault,
    message: string,
    readonly reply?: SmtpReply,
  ) {
    super(message);
    this.name = 'SmtpSessionError';
  }
}

export type SessionOptions = {
  connect: SocketConnector;
  hostname: string;
  port: number;
  security: 'none' | 'tls' | 'ssl';
  username?: string;
  password?: string;
  /** EHLO name. */
  clientName: string;
  timeouts: { connectionMs: number; greetingMs: number; socketMs: number };
};

export type SmtpSession = {
  /** One message to one recipient; resolves with the server's final reply text. */
  send(envelope: { from: string; to: string }, message: string): Promise<string>;
  quit(): Promise<void>;
  abort(): void;
};

const TLS_TEXT = /tls|ssl|certificate|handshake|self.signed|issuer/i;

type Line = { socket: SmtpSocket; reader: ReplyReader; writer: WritableStreamDefaultWriter<Uint8Array> };

export async function openSession(o: SessionOptions): Promise<SmtpSession> {
  const secureTransport = o.security === 'ssl' ? 'on' : o.security === 'tls' ? 'starttls' : 'off';
  let line = attach(o.connect({ hostname: o.hostname, port: o.port }, { secureTransport, allowHalfOpen: false }));
  let extensions: Set<string>;
  try {
    try {
      await withTimeout(line.socket.opened, o.timeouts.connectionMs);
    } catch (error) {
      // With implicit TLS, "opened" can also report the handshake: say which layer failed.
      throw fault('connect', error, o.security === 'ssl' && TLS_TEXT.test((error as Error)?.message ?? '') ? 'tls' : 'unreachable');
    }
    // With implicit TLS the handshake happens here too: a failure that is not
    // SMTP's own is the TLS layer's.
    const greeting = await step('greeting', () => line.reader.read(o.timeouts.greetingMs), o.security === 'ssl' ? 'tls' : 'unreachable');
    if (greeting.code !== 220) throw replyError('greeting', greeting);

    extensions = await hello(line, o);
    if (o.security === 'tls') {
      if (!extensions.has('STARTTLS')) throw new SmtpSessionError('starttls', 'no_starttls', 'the server does not offer STARTTLS');
      const ready = await command(line, 'starttls', 'STARTTLS', o.timeouts.socketMs);
      if (ready.code !== 220) throw replyError('starttls', ready);
      // Anything already buffered was sent before encryption and would be
      // read as if it came over TLS (command injection, CVE-2011-0411).
      if (line.reader.pending > 0) throw new SmtpSessionError('starttls', 'unsafe', 'the server sent data before the TLS handshake');
      line.reader.release();
      line.writer.releaseLock();
      line = attach(line.socket.startTls());
      await step('tls', () => withTimeout(line.socket.opened, o.timeouts.connectionMs), 'tls');
      // A connection that dies right after the upgrade died in the handshake.
      extensions = await hello(line, o).catch((error: SmtpSessionError) => {
        throw error.fault === 'closed' ? new SmtpSessionError('tls', 'tls', error.message) : error;
      });
    }
    if (o.username) await authenticate(line, o, extensions);
  } catch (error) {
    void line.socket.close().catch(() => {});
    throw error;
  }

  return {
    async send(envelope, message) {
      // Internationalised addresses need the server's SMTPUTF8; without it they cannot be delivered as written.
      const international = /[^\x00-\x7f]/.test(envelope.from + envelope.to);
      if (international && !extensions.has('SMTPUTF8')) throw new SmtpSessionError('mail', 'unsafe', 'the server does not accept internationalised addresses (no SMTPUTF8)');
      const from = await command(line, 'mail', `MAIL FROM:${pathArgument(envelope.from)}${international ? ' SMTPUTF8' : ''}`, o.timeouts.socketMs);
      if (from.code !== 250) throw replyError('mail', from);
      const rcpt = await command(line, 'rcpt', `RCPT TO:${pathArgument(envelope.to)}`, o.timeouts.socketMs);
      if (rcpt.code !== 250 && rcpt.code !== 251) throw replyError('rcpt', rcpt);
      const data = await command(line, 'data', 'DATA', o.timeouts.socketMs);
      if (data.code !== 354) throw replyError('data', data);
      await step('data', () => withTimeout(line.writer.write(dataBytes(message)), o.timeouts.socketMs), 'closed');
      const accepted = await step('data', () => line.reader.read(o.timeouts.socketMs), 'closed');
      if (accepted.code !== 250) throw replyError('data', accepted);
      return replyText(accepted);
    },
    async quit() {
      try {
        await withTimeout(line.writer.write(commandBytes('QUIT')), 2_000);
        await line.reader.read(2_000);
      } catch {
        // The message is already accepted; a server that hangs up first changes nothing.
      } finally {
        void line.socket.close().catch(() => {});
      }
    },
    abort() {
      void line.socket.close().catch(() => {});
    },
  };
}

function attach(socket: SmtpSocket): Line {
  return { socket, reader: new ReplyReader(socket.readable), writer: socket.writable.getWriter() };
}

async function hello(line: Line, o: SessionOptions): Promise<Set<string>> {
  const reply = await command(line, 'ehlo', `EHLO ${o.clientName}`, o.timeouts.socketMs);
  if (reply.code !== 250) throw replyError('ehlo', reply);
  // Keywords, plus "AUTH <mechanism>" pairs so the mechanisms can be looked up the same way.
  const extensions = new Set<string>();
  for (const text of reply.lines.slice(1)) {
    const [keyword, ...params] = text.toUpperCase().split(/\s+/);
    extensions.add(keyword);
    if (keyword === 'AUTH') for (const mechanism of params) extensions.add(`AUTH ${mechanism}`);
  }
  return extensions;
}

async function authenticate(line: Line, o: SessionOptions, extensions: Set<string>): Promise<void> {
  const b64 = (text: string) => toBase64(new TextEncoder().encode(text));
  // Credentials mean "log in": a server that offers no mechanism we speak fails here rather than relaying unauthenticated.
  if (extensions.has('AUTH PLAIN')) {
    const reply = await command(line, 'auth', `AUTH PLAIN ${b64(`\0${o.username}\0${o.password ?? ''}`)}`, o.timeouts.socketMs);
    if (reply.code !== 235) throw replyError('auth', reply);
    return;
  }
  if (extensions.has('AUTH LOGIN')) {
    for (const [text, expect] of [['AUTH LOGIN', 334], [b64(o.username!), 334], [b64(o.password ?? ''), 235]] as const) {
      const reply = await command(line, 'auth', text, o.timeouts.socketMs);
      if (reply.code !== expect) throw replyError('auth', reply);
    }
    return;
  }
  throw new SmtpSessionError('auth', 'no_auth', 'the server offers no login mechanism this client supports (PLAIN, LOGIN) on this connection');
}

async function command(line: Line, stage: SessionStage, text: string, timeoutMs: number): Promise<SmtpReply> {
  return step(
    stage,
    async () => {
      await withTimeout(line.writer.write(commandBytes(text)), timeoutMs);
      return line.reader.read(timeoutMs);
    },
    'closed',
  );
}

/** Runs one step; failures that are not already a session error become one, attributed to `stage`. */
async function step<T>(stage: SessionStage, work: () => Promise<T>, otherwise: SessionFault): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fault(stage, error, otherwise);
  }
}

function fault(stage: SessionStage, error: unknown, otherwise: SessionFault): SmtpSessionError {
  if (error instanceof SmtpSessionError) return error;
  if (error instanceof SmtpWireError) return new SmtpSessionError(stage, error.kind, error.message);
  return new SmtpSessionError(stage, otherwise, (error as Error)?.message ?? String(error));
}

function replyError(stage: SessionStage, reply: SmtpReply): SmtpSessionError {
  return new SmtpSessionError(stage, 'reply', `${stage}: ${replyText(reply)}`, reply);
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
