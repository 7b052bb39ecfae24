import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { SMTPServer } from 'smtp-server';

// The real SMTP servers the scenarios deliver to, on loopback, and the
// certificate they present. The certificate is its own CA (CA:TRUE): workerd
// (BoringSSL, through wrangler's NODE_EXTRA_CA_CERTS) only accepts a trust
// anchor that may issue certificates, while Node and Deno take it either way.

export type Received = { from: string; to: string[]; raw: string; secure: boolean; user?: string };
export type ScenarioSmtp = {
  port: number;
  mode: Mode;
  messages: Received[];
  close(): Promise<void>;
  /** With `hold`: how many messages wait for their answer to DATA. */
  held(): number;
  /** With `hold`: answers every waiting DATA (accepting the message) and stops holding. */
  release(): void;
};
type Mode = 'plain' | 'starttls' | 'implicit';

export const SMTP_USER = { username: 'relay-user', password: 'relay password 1' };

export function scenarioCertificate(): { key: string; cert: string; file: string } {
  const pems = selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    days: 2,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const file = join(mkdtempSync(join(tmpdir(), 'advocate-ca-')), 'ca.pem');
  writeFileSync(file, pems.cert);
  return { key: pems.private, cert: pems.cert, file };
}

/**
 * `failFirst`: recipients whose first delivery attempt gets 451 (greylisting),
 * so only a later run of the background loop can deliver them.
 */
export async function startScenarioSmtp(mode: Mode, cert: { key: string; cert: string }, o: { failFirst?: RegExp; hold?: boolean } = {}): Promise<ScenarioSmtp> {
  const messages: Received[] = [];
  // `hold`: a server slow for as long as the scenario needs; DATA is answered (and counted) at release().
  let holding = Boolean(o.hold);
  const waiting: (() => void)[] = [];
  const refused = new Set<string>();
  const server = new SMTPServer({
    secure: mode === 'implicit',
    key: cert.key,
    cert: cert.cert,
    name: 'mx.scenario.test',
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    disabledCommands: mode === 'plain' ? ['STARTTLS'] : [],
    // Plain mode has no login (nobody should send a password in clear); TLS modes require one.
    authOptional: mode === 'plain',
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER.username && auth.password === SMTP_USER.password) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (o.failFirst?.test(address.address) && !refused.has(address.address)) {
        refused.add(address.address);
        return callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const accept = () => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        };
        if (holding) waiting.push(accept);
        else accept();
      });
    },
  });
  server.on('error', () => {});
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    port,
    mode,
    messages,
    held: () => waiting.length,
    release() {
      holding = false;
      for (const accept of waiting.splice(0)) accept();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
