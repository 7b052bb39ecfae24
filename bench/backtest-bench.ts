import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../runtime/app.ts';
import { parseConfig } from '../runtime/config.ts';
import { buildNodeServices, openStore } from '../runtime/node/node-services.ts';
import { silentLogger } from '../runtime/logger.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import type { EventTable } from '../runtime/store/database.ts';
import { windowEventsAfter, type Keyset } from '../runtime/store/backtest-queries.ts';
import { runDueBacktests } from '../runtime/services/backtest/job.ts';
import { freshPostgresSchema } from '../test/support/databases.ts';
import { oneRewardProgram } from './bench-program.ts';

// A backtest of 100,000 stored events (seeded straight into the store, each
// with the answer and fact snapshot the live path writes) through a
// 20-rule candidate that changes about a quarter of the rewards, carried by
// the scheduler's job in chunks of 2,000 as in production. The baseline is
// reading the same window alone, by the same keyset chunks: what is left is
// the replay itself (facts, evaluation, planning, limits, diff, totals).

const EVENTS = Number(process.env.BENCH_BACKTEST_EVENTS ?? 100_000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');
const ADMIN = 'bench-admin-token-0123456789';

export type BacktestRow = { database: string; events: number; seconds: number; eventsPerSec: number; readOnlyEventsPerSec: number; changed: number };

export async function runBacktestBench(): Promise<BacktestRow[]> {
  const rows: BacktestRow[] = [];
  for (const database of DATABASES) {
    const dir = mkdtempSync(join(tmpdir(), 'advocate-rules-backtest-'));
    const pg = database === 'postgres' ? await freshPostgresSchema('bt') : null;
    const url = pg ? pg.url : `sqlite:${join(dir, 'backtest.db')}`;
    const config = parseConfig({ ADMIN_TOKEN: ADMIN, SECRET_KEY: generateSecretKey(), DATABASE_URL: url, MAIL_CAPTURE: 'true' });
    const services = await buildNodeServices(config, { store: openStore(url), logger: silentLogger });
    try {
      rows.push(await measure(database, services));
    } finally {
      await services.store.db.destroy();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

async function measure(database: string, services: Awaited<ReturnType<typeof buildNodeServices>>): Promise<BacktestRow> {
  const app = createApp(services);
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const { apiKey, id: tenantId } = await call('POST', '/v1/tenants', ADMIN, { name: 'Bench' });
  const { id: programId } = await call('POST', '/v1/programs', apiKey, { name: 'Bench' });
  await call('PUT', `/v1/programs/${programId}/rules`, apiKey, oneRewardProgram(20));
  const participants = 1000;
  for (let p = 0; p < participants; p++) await call('PUT', `/v1/participants/p${p}`, apiKey, { email: `p${p}@example.com`, countryCode: 'US' });
  await seed(services, tenantId, programId, participants);

  // The candidate: the same 20 rules, the credit from an amount of 100 (was 10).
  const candidate = oneRewardProgram(20) as { rules: any[] };
  candidate.rules[0].conditions.all[1].value = 100;
  const window = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };

  const start = performance.now();
  let bt = await call('POST', `/v1/programs/${programId}/backtests`, apiKey, { ...candidate, ...window });
  while (bt.status !== 'done' && bt.status !== 'failed') {
    await runDueBacktests(services, 60_000);
    bt = await call('GET', `/v1/programs/${programId}/backtests/${bt.id}`, apiKey);
  }
  const seconds = (performance.now() - start) / 1000;
  if (bt.status !== 'done') throw new Error(`backtest failed: ${JSON.stringify(bt.error)}`);

  const readStart = performance.now();
  let after: Keyset = null;
  for (;;) {
    const chunk = await windowEventsAfter(services.store.db, { tenantId, programId, from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), after, limit: 2000 });
    for (const r of chunk) JSON.parse(r.response);
    if (chunk.length < 2000) break;
    after = { occurredAt: chunk.at(-1)!.occurred_at, id: chunk.at(-1)!.id };
  }
  const readSeconds = (performance.now() - readStart) / 1000;
  return { database, events: bt.report.events.replayed, seconds: Math.round(seconds * 10) / 10, eventsPerSec: Math.round(EVENTS / seconds), readOnlyEventsPerSec: Math.round(EVENTS / readSeconds), changed: bt.report.events.changed };
}

/** 100,000 events as the live path stores them, in multi-row inserts inside transactions. */
async function seed(services: Awaited<ReturnType<typeof buildNodeServices>>, tenantId: string, programId: string, participants: number) {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const step = Math.floor((180 * 86_400_000) / EVENTS);
  const batch = 500;
  for (let i = 0; i < EVENTS; i += 5000) {
    await services.store.db.transaction().execute(async (db) => {
      for (let j = i; j < Math.min(i + 5000, EVENTS); j += batch) {
        const rows: EventTable[] = [];
        for (let k = j; k < Math.min(j + batch, EVENTS); k++) {
          const pid = `p${k % participants}`;
          const amount = 50 + (k % 200);
          const occurredAt = new Date(t0 + k * step).toISOString();
          const participant = { id: pid, email: `${pid}@example.com`, firstName: null, lastName: null, locale: null, countryCode: 'US', referredBy: null, w9OnFile: false, payoutInfoComplete: false, emailVerified: false, unsubscribed: false, createdAt: '2025-12-01T00:00:00.000Z' };
          const reward = { id: `r${k}`, programId, eventId: `e${k}`, rule: 'purchase-credit', participantId: pid, kind: 'credit', amount: 5, amountMinor: 500, remainingAmount: 5, remainingMinor: 500, currency: 'USD', description: null, taxableValueMinor: null, status: 'available', pendingReasons: [], holdUntil: null, expiresAt: null, occurredAt, createdAt: occurredAt };
          const response = { event: { id: `e${k}`, programId, type: 'purchase', participantId: pid, occurredAt }, fired: [{ rule: 'purchase-credit', action: 'reward' }], rewards: [reward], emails: [] };
          rows.push({
            tenant_id: tenantId,
            id: `e${k}`,
            program_id: programId,
            type: 'purchase',
            participant_id: pid,
            data: JSON.stringify({ amount, tags: ['x'] }),
            occurred_at: occurredAt,
            request_hash: 'bench',
            response: JSON.stringify(response),
            created_at: occurredAt,
            facts: JSON.stringify({ version: 1, participant }),
          });
        }
        await db.insertInto('events').values(rows).execute();
      }
    });
  }
}

export function printBacktest(rows: BacktestRow[]) {
  console.log(`\nBacktest: ${EVENTS} stored events through a 20-rule candidate, chunks of 2,000 by the scheduler's job; baseline: reading the same window alone`);
  console.table(rows.map((r) => ({ database: r.database, events: r.events, 'changed': r.changed, seconds: r.seconds, 'events/s': r.eventsPerSec, 'read-only events/s': r.readOnlyEventsPerSec, ratio: Math.round((r.eventsPerSec / r.readOnlyEventsPerSec) * 100) / 100 })));
}
