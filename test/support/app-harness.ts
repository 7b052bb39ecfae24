import type { Hono } from 'hono';
import { createApp } from '../../runtime/app.ts';
import { parseConfig } from '../../runtime/config.ts';
import type { AppEnv } from '../../runtime/context.ts';
import { buildNodeServices } from '../../runtime/node/node-services.ts';
import type { Services } from '../../runtime/services.ts';
import { manualClock } from '../../runtime/clock.ts';
import { silentLogger, type Logger } from '../../runtime/logger.ts';
import { generateSecretKey } from '../../runtime/security/secret-box.ts';
import type { MailTransport } from '../../plugins/types.ts';
import { createCaptureTransport, type CaptureTransport } from '../../plugins/mail/transports/capture-transport.ts';
import { createTestStore, type TestStore } from './databases.ts';
import { nodeRequestBody } from '../../runtime/node/request-body.ts';

export type RecordedExchange = { method: string; path: string; status: number; contentType: string | null; body: unknown };

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export type Harness = {
  app: Hono<AppEnv>;
  services: Services;
  store: TestStore;
  clock: ReturnType<typeof manualClock>;
  capture: CaptureTransport;
  request(method: string, path: string, o?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** Every exchange made through request(), for checking the answers against the OpenAPI document (test/support/openapi-check.ts). */
  recorded: RecordedExchange[];
  tenant(name?: string): Promise<{ id: string; apiKey: string; webhookSecret: string }>;
  close(): Promise<void>;
};

/** The real app over a real database, driven through app.request(): no HTTP mocks. */
export async function createHarness(
  dialect: 'sqlite' | 'postgres',
  o: {
    env?: Record<string, string>;
    builtinTransport?: MailTransport;
    logger?: Logger;
    start?: string;
    smtpCa?: string[];
    /** Trusted by the webhook client (the loopback HTTPS receiver's certificate). */
    webhookCa?: string[];
    store?: TestStore;
    /** The socket peer every request appears to come from (app.request has no socket); none by default. */
    peer?: string;
  } = {},
): Promise<Harness> {
  const store = o.store ?? (await createTestStore(dialect));
  const clock = manualClock(o.start ?? '2026-06-15T12:00:00.000Z');
  const capture = createCaptureTransport();
  const config = parseConfig({ ADMIN_TOKEN, SECRET_KEY: generateSecretKey(), DATABASE_URL: 'sqlite::memory:', PUBLIC_URL: 'https://refer.example.com', ...o.env });
  const services = await buildNodeServices(config, { store, clock, logger: o.logger ?? silentLogger, builtinTransport: o.builtinTransport ?? (o.env?.BUILTIN_SMTP_URL ? undefined : capture), smtpCa: o.smtpCa, webhookCa: o.webhookCa });
  // The Node entry's body reader: used when serveHarness puts the app behind a socket, unused by app.request().
  const app = createApp(services, { peerAddress: () => o.peer ?? null, requestBody: nodeRequestBody });
  const recorded: RecordedExchange[] = [];
  const request: Harness['request'] = async (method, path, r = {}) => {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    let body: string | undefined;
    if (r.body !== undefined) {
      body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      headers['content-type'] = 'application/json';
    }
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : null;
    recorded.push({ method, path: path.split('?')[0], status: res.status, contentType: res.headers.get('content-type'), body: parsed });
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    app,
    services,
    store,
    clock,
    capture,
    request,
    recorded,
    async tenant(name = 'Acme') {
      const res = await request('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name } });
      if (res.status !== 201) throw new Error(`tenant creation failed: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async close() {
      await services.dispatcher.idle();
      await services.webhooks.idle();
      if (!o.store) await store.dispose();
    },
  };
}
