import net from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { localhostCert, type TestCert } from './certs.ts';

// Real SMTP servers on 127.0.0.1, one per scenario, so the transport is
// tested against the bytes a mail server actually sends.

export type ReceivedMessage = { from: string; to: string[]; raw: string; secure: boolean; user?: string };

export type TestSmtpServer = {
  port: number;
  messages: ReceivedMessage[];
  close(): Promise<void>;
  /** With `holdData`: messages whose DATA the server has read but not yet answered. */
  held?(): number;
  /** With `holdData`: answers every held DATA (accepting the message) and stops holding. */
  release?(): void;
};

export type InjectedReply = { at: 'mail' | 'rcpt' | 'data' | 'auth'; code: number; message?: string };

export type SmtpServerScenario = {
  /** `plain` offers no STARTTLS, `starttls` offers it, `implicit` speaks TLS from the first byte. */
  mode: 'plain' | 'starttls' | 'implicit';
  cert?: TestCert;
  /** Require AUTH with these credentials. */
  auth?: { username: string; password: string };
  /** Neither advertise nor accept AUTH. */
  disableAuth?: boolean;
  /** Accept AUTH before TLS (needed for `plain` with auth). */
  allowInsecureAuth?: boolean;
  reply?: InjectedReply;
  /** Hold the greeting back this long. */
  greetingDelayMs?: number;
  /** Answer each message's DATA only after this long (a slow server, still within the client's socket timeout). */
  dataDelayMs?: number;
  /** Answer no DATA until release() is called: a server that is slow for as long as a test needs. */
  holdData?: boolean;
};

export async function startSmtpServer(scenario: SmtpServerScenario): Promise<TestSmtpServer> {
  const messages: ReceivedMessage[] = [];
  const cert = scenario.cert ?? localhostCert();
  const timers = new Set<NodeJS.Timeout>();
  let holding = Boolean(scenario.holdData);
  const heldAnswers: (() => void)[] = [];
  const later = (answer: () => void) => {
    if (holding) return void heldAnswers.push(answer);
    if (!scenario.dataDelayMs) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, scenario.dataDelayMs);
    timers.add(timer);
  };
  const failAt = (step: InjectedReply['at']) =>
    scenario.reply?.at === step ? Object.assign(new Error(scenario.reply.message ?? `Injected ${scenario.reply.code}`), { responseCode: scenario.reply.code }) : null;

  const options: SMTPServerOptions = {
    secure: scenario.mode === 'implicit',
    key: cert.key,
    cert: cert.cert,
    name: 'mx.test',
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    disabledCommands: [...(scenario.mode === 'plain' ? ['STARTTLS'] : []), ...(scenario.disableAuth ? ['AUTH'] : [])],
    authOptional: !scenario.auth,
    allowInsecureAuth: scenario.allowInsecureAuth ?? false,
    onConnect(_session, callback) {
      if (!scenario.greetingDelayMs) return callback();
      const timer = setTimeout(() => {
        timers.delete(timer);
        callback();
      }, scenario.greetingDelayMs);
      timers.add(timer);
    },
    onAuth(auth, _session, callback) {
      const injected = failAt('auth');
      if (injected) return callback(injected);
      const ok = scenario.auth && auth.username === scenario.auth.username && auth.password === scenario.auth.password;
      if (!ok) return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      callback(failAt('mail'));
    },
    onRcptTo(_address, _session, callback) {
      callback(failAt('rcpt'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const injected = failAt('data');
        if (injected) return callback(injected);
        // Recorded when the server answers 250: that is when the message counts as delivered.
        later(() => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        });
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => {}); // a client hanging up mid-handshake is part of several tests
  const port = await listen(server.server, (onListening) => server.listen(0, '127.0.0.1', onListening));
  return {
    port,
    messages,
    held: () => heldAnswers.length,
    release() {
      holding = false;
      for (const answer of heldAnswers.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
      }),
  };
}

/**
 * A minimal hand-written server that speaks SMTP up to a point and then hangs
 * up without a word, the way a crashing or overloaded relay does.
 */
export async function startDroppingServer(dropAt: 'connect' | 'rcpt' | 'data'): Promise<TestSmtpServer & { connections(): number }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (dropAt === 'connect') return void socket.destroy();
    socket.write('220 drop.test ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let newline: number;
      while ((newline = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, newline).toUpperCase();
        buffer = buffer.slice(newline + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 drop.test\r\n');
        else if (line.startsWith('MAIL')) socket.write('250 OK\r\n');
        else if (line.startsWith('RCPT')) dropAt === 'rcpt' ? socket.destroy() : socket.write('250 OK\r\n');
        else if (line.startsWith('DATA')) return void socket.destroy();
        else if (line.startsWith('QUIT')) socket.end('221 Bye\r\n');
        else socket.write('502 Unknown command\r\n');
      }
    });
  });
  const port = await listen(server, (onListening) => server.listen(0, '127.0.0.1', onListening));
  return {
    port,
    messages: [],
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Something that is not an SMTP server (say, a web server) listening where one was expected. */
export async function startNonSmtpServer(banner = 'HTTP/1.1 400 Bad Request\r\n\r\n'): Promise<TestSmtpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end(banner);
  });
  const port = await listen(server, (onListening) => server.listen(0, '127.0.0.1', onListening));
  return {
    port,
    messages: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, (onListening) => server.listen(0, '127.0.0.1', onListening));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function listen(server: net.Server, start: (onListening: () => void) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    start(() => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
