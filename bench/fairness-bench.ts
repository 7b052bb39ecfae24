import { mkdtempSync, rmSync } from 'node:fs';
import { startSink } from './smtp-sink.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../runtime/config.ts';
import { createApp } from '../runtime/app.ts';
import { buildNodeServices } from '../runtime/node/node-services.ts';
import { silentLogger } from '../runtime/logger.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { inTransaction } from '../runtime/store/store.ts';
import { insertEmailOnce } from '../runtime/store/email-queries.ts';
import type { EmailTable } from '../runtime/store/database.ts';
import { composeEmail } from '../plugins/mail/compose.ts';
import { ALL_ON } from '../plugins/mail/notification-switches.ts';

// How long other tenants' emails take to leave while one tenant's own SMTP
// server answers every DATA slowly, next to the same emails with no slow
// tenant at all, in the same run. The slow tenant's backlog is queued first,
// so a dispatcher that worked through its claims in order would make
// everyone wait behind it.

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const MAIL_FROM = 'notifications@bench.example.com';
const SLOW_DATA_MS = 2_000;
const SLOW_BACKLOG = 60;
const OTHER_TENANTS = 3;
const PER_OTHER_TENANT = 10;

export type FairnessRow = { scenario: string; 'median delay ms': number; 'max delay ms': number; 'slow tenant sent meanwhile': string };

export async function runFairnessBench(): Promise<FairnessRow[]> {
  const fast = await startSink(0);
  const slow = await startSink(SLOW_DATA_MS);
  const dir = mkdtempSync(join(tmpdir(), 'fairness-bench-'));
  const config = parseConfig({
    ADMIN_TOKEN,
    SECRET_KEY: generateSecretKey(),
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    MAIL_FROM,
    BUILTIN_SMTP_URL: `smtp://127.0.0.1:${fast.port}?starttls=off`,
    ALLOW_PRIVATE_SMTP_HOSTS: 'true',
    SMTP_PORTS: String(slow.port),
    MAIL_RATE_PER_SECOND: '10000',
  });
  const services = await buildNodeServices(config, { logger: silentLogger });
  const app = createApp(services);
  const call = async (path: string, token: string, method: string, body: unknown) => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: string; apiKey: string }>;
  };
  try {
    const slowTenant = await call('/v1/tenants', ADMIN_TOKEN, 'POST', { name: 'Slow' });
    await call('/v1/settings/email/smtp', slowTenant.apiKey, 'PUT', { host: '127.0.0.1', port: slow.port, security: 'none' });
    const others = await Promise.all(Array.from({ length: OTHER_TENANTS }, (_, i) => call('/v1/tenants', ADMIN_TOKEN, 'POST', { name: `Other ${i}` })));

    const compose = async (tenantId: string, count: number, prefix: string) => {
      const now = new Date().toISOString();
      const env = { tenantId, program: null, templates: new Map(), switches: ALL_ON, now, messageIdDomain: MAIL_FROM.split('@')[1] };
      const rows: EmailTable[] = [];
      for (let i = 0; i < count; i++) {
        const recipient = { id: `p${i}`, email: `p${i}@example.com`, firstName: `P${i}`, lastName: null, locale: null, countryCode: null, referredBy: null, w9OnFile: false, payoutInfoComplete: false, emailVerified: false, unsubscribed: false, referralFlags: [], createdAt: now };
        rows.push((await composeEmail({ type: 'email-action', template: 'email-action', recipient, idempotencyKey: `${prefix}:${i}`, data: { data: { message: `Message ${i}` } } }, env))!);
      }
      return rows;
    };
    const queue = (rows: EmailTable[]) =>
      inTransaction(services.store, async (db) => {
        for (const row of rows) await insertEmailOnce(db, row);
      });

    /** Queues the other tenants' emails, wakes the dispatcher, and times each arrival at their (fast) server. */
    const othersDelay = async (prefix: string) => {
      const rows = (await Promise.all(others.map((t) => compose(t.id, PER_OTHER_TENANT, prefix)))).flat();
      await queue(rows);
      const before = fast.arrivals.length;
      const slowBefore = slow.arrivals.length;
      const started = performance.now();
      services.dispatcher.kick();
      while (fast.arrivals.length - before < rows.length) await new Promise((r) => setTimeout(r, 5));
      const delays = fast.arrivals.slice(before).map((at) => at - started);
      return { delays, slowSent: slow.arrivals.length - slowBefore };
    };

    // Alone first (it also warms the path), then behind the slow tenant's backlog.
    await othersDelay('warmup');
    await services.dispatcher.idle();
    const alone = await othersDelay('alone');
    await services.dispatcher.idle();

    await queue(await compose(slowTenant.id, SLOW_BACKLOG, 'slow'));
    services.dispatcher.kick();
    const withSlow = await othersDelay('with-slow');

    const summary = (scenario: string, r: { delays: number[]; slowSent: number }, slowNote: string): FairnessRow => ({
      scenario,
      'median delay ms': Math.round(median(r.delays)),
      'max delay ms': Math.round(Math.max(...r.delays)),
      'slow tenant sent meanwhile': slowNote,
    });
    return [
      summary(`${OTHER_TENANTS} tenants x ${PER_OTHER_TENANT} emails, no slow tenant`, alone, '-'),
      summary(`same, queued after a ${SLOW_BACKLOG}-email backlog of a tenant whose server answers DATA after ${SLOW_DATA_MS / 1000} s`, withSlow, `${withSlow.slowSent} of ${SLOW_BACKLOG}`),
    ];
  } finally {
    // The slow tenant's sends still in progress fail when its server goes; they stay queued for a retry nobody waits for.
    await slow.close();
    await services.dispatcher.idle();
    await services.builtinTransport.close();
    await services.store.db.destroy();
    await fast.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.table(await runFairnessBench());
}
