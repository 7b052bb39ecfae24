/**
 * Hostile tenant, evaluation attacks: how long each attack request takes to
 * be refused, and how long /health waits when it is sent alongside. The
 * evaluator is synchronous, so /health waits for whatever an attack computes
 * in one go; the budget keeps that short. The idle row is /health alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../runtime/app.ts';
import { parseConfig } from '../runtime/config.ts';
import { buildNodeServices } from '../runtime/node/node-services.ts';
import { silentLogger } from '../runtime/logger.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { createTenant } from '../runtime/services/tenant-service.ts';

export type HostileRow = { attack: string; status: number; 'attack ms': number; '/health ms': number };

const ADMIN = 'bench-admin-token-0123456789';
const reward = { type: 'reward', params: { kind: 'credit', amount: 1, currency: 'USD', to: 'participant' } };
const list = (n: number, value: unknown) => Array.from({ length: n }, () => value);
const round = (ms: number) => Math.round(ms * 10) / 10;

/** 90 references to a shared `any` of 50 copies of one leaf: 4,500 conditions from a small document. */
const amplified = (leaf: object) => ({
  rules: [{ name: 'amplifier', conditions: { any: list(90, { condition: 'scan' }) }, event: reward }],
  conditions: { scan: { any: list(50, leaf) } },
});

export async function runHostileEvaluationBench(): Promise<HostileRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'advocate-hostile-'));
  const config = parseConfig({ ADMIN_TOKEN: ADMIN, SECRET_KEY: generateSecretKey(), DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` });
  const services = await buildNodeServices(config, { logger: silentLogger });
  const app = createApp(services);
  const { apiKey } = await createTenant(services, 'Hostile');
  const call = (method: string, path: string, body?: unknown) =>
    app.request(path, { method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const program = (await (await call('POST', '/v1/programs', { name: 'Hostile' })).json()) as { id: string };
  const bombLeaf = { fact: 'event', path: '$.data.a', operator: 'someFact:someValue:equal', value: { fact: 'event', path: '$.data.b' } };
  await call('PUT', `/v1/programs/${program.id}/rules`, { rules: [{ name: 'bomb', conditions: { all: [bombLeaf] }, event: reward }] });
  await call('PUT', '/v1/participants/p1', { email: 'p1@example.com' });

  const health = async () => {
    const start = performance.now();
    await (await app.request('/health')).arrayBuffer();
    return performance.now() - start;
  };
  const rows: HostileRow[] = [];
  const measure = async (attack: string, send: () => Response | Promise<Response>) => {
    const start = performance.now();
    const pending = Promise.resolve(send()).then(async (res) => {
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - start };
    });
    const healthMs = await health();
    const done = await pending;
    rows.push({ attack, status: done.status, 'attack ms': round(done.ms), '/health ms': round(healthMs) });
  };

  for (let i = 0; i < 3; i++) await health();
  rows.push({ attack: 'none (idle /health)', status: 200, 'attack ms': 0, '/health ms': round(await health()) });
  const bombData = { a: list(100_000, 0), b: list(100_000, 1) };
  let n = 0;
  await measure('decorator bomb, 400 KB event (10^10 comparisons unbounded)', () => call('POST', `/v1/programs/${program.id}/events`, { id: `bomb-${n++}`, type: 'purchase', participantId: 'p1', data: bombData }));
  await measure('decorator bomb, dry run', () => call('POST', `/v1/programs/${program.id}/evaluate`, { type: 'purchase', participantId: 'p1', data: bombData }));
  await measure('4,500 contains over a 200k-element fact array, dry run', () =>
    call('POST', `/v1/programs/${program.id}/evaluate`, { type: 'purchase', data: { a: list(200_000, 7) }, ...amplified({ fact: 'event', path: '$.data.a', operator: 'contains', value: 'n' }) }),
  );
  await measure('4,500 conditions showing a 150 KB string, dry run (summaries)', () =>
    call('POST', `/v1/programs/${program.id}/evaluate`, { type: 'purchase', data: { text: 'z'.repeat(150_000) }, ...amplified({ fact: 'event', path: '$.data.text', operator: 'equal', value: 'x' }) }),
  );
  const long = Array.from({ length: 2_000 }, (_, i) => `${'x'.repeat(110)}${i}`);
  await measure('explanation past 4 MiB, dry run', () =>
    call('POST', `/v1/programs/${program.id}/evaluate`, { type: 'purchase', data: { long }, ...amplified({ fact: 'event', path: '$.data.long', operator: 'in', value: long.slice(0, 10) }) }),
  );
  await services.store.db.destroy();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

export function printHostileRows(rows: HostileRow[]) {
  console.log('\nHostile tenant: evaluation attacks (status, time to answer) and /health sent alongside');
  console.table(rows);
}

const entry = globalThis.process?.argv?.[1] ?? '';
if (/hostile-evaluation-bench\.ts$/.test(entry)) printHostileRows(await runHostileEvaluationBench());
