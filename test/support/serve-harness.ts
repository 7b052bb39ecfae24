import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Harness } from './app-harness.ts';

// The harness's real app behind the Node entry's HTTP server on loopback, for
// tests where a socket matters (a slow request must not hold up another).

export type HttpServer = { url: string; close(): Promise<void> };

export async function serveHarness(h: Harness): Promise<HttpServer> {
  return new Promise((resolve) => {
    const server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
