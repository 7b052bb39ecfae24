import https from 'node:https';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { localhostCert, type TestCert } from './certs.ts';

// A real webhook receiver on loopback: HTTPS with the test certificate (or
// plain HTTP), recording every request as it arrived and answering as the
// test says (a status and body per path, a redirect, or no answer at all).

export type ReceivedWebhook = { path: string; headers: Record<string, string>; body: string };
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export type WebhookReceiver = {
  url(path?: string): string;
  port: number;
  cert: TestCert;
  received: ReceivedWebhook[];
  /** How the receiver answers a path; 200 "ok" by default. */
  answer(path: string, answer: Answer): void;
  close(): Promise<void>;
};

export async function startWebhookReceiver(o: { tls?: boolean; cert?: TestCert; host?: string } = {}): Promise<WebhookReceiver> {
  const cert = o.cert ?? localhostCert();
  const answers = new Map<string, Answer>();
  const received: ReceivedWebhook[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.get(path) ?? { status: 200, body: 'ok' };
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  };
  const tls = o.tls ?? true;
  const server = tls ? https.createServer({ key: cert.key, cert: cert.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  return {
    port,
    cert,
    received,
    url: (path = '/hook') => `${tls ? 'https' : 'http'}://${host}:${port}${path}`,
    answer: (path, answer) => answers.set(path, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
