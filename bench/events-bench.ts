import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../runtime/app.ts';
import { parseConfig } from '../runtime/config.ts';
import { buildNodeServices } from '../runtime/node/node-services.ts';
import { silentLogger } from '../runtime/logger.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { createTenant } from '../runtime/services/tenant-service.ts';
import { createReferenceEvaluator } from './reference-evaluator.ts';
import { referralProgram } from './referral-program.ts';
import { printRows, row, type Row } from './measure.ts';

const ADMIN = 'bench-admin-token-0123456789';

/** One app over a fresh SQLite file, with the compiled evaluator or the reference engine. */
async function setup(reference: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'advocate-bench-'));
  const config = parseConfig({ ADMIN_TOKEN: ADMIN, SECRET_KEY: generateSecretKey(), DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` });
  const services = await buildNodeServices(config, { logger: silentLogger });
  if (reference) services.evaluate = createReferenceEvaluator();
  const app = createApp(services);
  const { apiKey } = await createTenant(services, 'Bench');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const program = (await (await call('POST', '/v1/programs', { name: 'Bench' })).json()) as { id: string };
  await call('PUT', `/v1/programs/${program.id}/rules`, referralProgram(20));
  await call('PUT', '/v1/participants/ref', { email: 'ref@example.com', payoutInfoComplete: true, w9OnFile: true });
  await call('PUT', '/v1/participants/p', { email: 'p@example.com', countryCode: 'US', referredBy: 'ref', payoutInfoComplete: true });
  let n = 0;
  const phases: Record<string, number> = {};
  const post = async () => {
    const res = await call('POST', `/v1/programs/${program.id}/events`, { id: `e${n++}`, type: n % 2 ? 'purchase' : 'signup', participantId: 'p', data: { amount: 50 + (n % 200), tags: ['x'] } });
    for (const part of (res.headers.get('server-timing') ?? '').split(', ')) {
      const [name, dur] = part.split(';dur=');
      if (dur) phases[name] = (phases[name] ?? 0) + Number(dur);
    }
    await res.arrayBuffer();
  };
  return {
    post,
    phases: () => Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round((v / n) * 1000) / 1000])),
    async close() {
      await services.store.db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function timed(post: () => Promise<void>, budgetMs: number) {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < budgetMs) {
    await post();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

export async function runEventsBench(budgetMs = 2000): Promise<{ rows: Row[]; phases: Record<string, number> }> {
  const ours = await setup(false);
  const reference = await setup(true);
  await timed(ours.post, 300);
  await timed(reference.post, 300);
  const oursRate = await timed(ours.post, budgetMs);
  const refRate = await timed(reference.post, budgetMs);
  const phases = ours.phases();
  await ours.close();
  await reference.close();
  return { rows: [row('POST /events, 20 rules, SQLite (vs json-rules-engine in the same path)', oursRate, refRate)], phases };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, phases } = await runEventsBench();
  printRows('Events through the HTTP API', rows);
  console.log('mean ms per phase (ours):', phases);
}
