import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../runtime/app.ts';
import { parseConfig } from '../runtime/config.ts';
import { buildNodeServices } from '../runtime/node/node-services.ts';
import { silentLogger } from '../runtime/logger.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { createTenant } from '../runtime/services/tenant-service.ts';
import { printRows, row, type Row } from './measure.ts';

// A tenant sends template bombs to the preview as fast as it can while a
// monitor polls /health: the bombs are refused (422), and /health keeps
// answering between them. The baseline is /health with nobody attacking.
// Both go through a real HTTP server on loopback, so they share the event
// loop the way two clients of one process do.

const BOMBS = {
  'nested loops': '{% for a in (1..1000) %}{% for b in (1..1000) %}{{ b }}{% endfor %}{% endfor %}',
  'range of a billion': '{% for i in (1..1000000000) %}x{% endfor %}',
};

async function setup() {
  const config = parseConfig({ ADMIN_TOKEN: 'bench-admin-token-0123456789', SECRET_KEY: generateSecretKey(), DATABASE_URL: 'sqlite::memory:' });
  const services = await buildNodeServices(config, { logger: silentLogger });
  const app = createApp(services);
  const { apiKey } = await createTenant(services, 'Bench');
  const server = await new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise<void>((done) => s.close(() => done())) }),
    );
  });
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const program = (await (await fetch(`${server.url}/v1/programs`, { method: 'POST', headers, body: JSON.stringify({ name: 'Bench' }) })).json()) as { id: string };
  const bomb = async (html: string) => {
    const res = await fetch(`${server.url}/v1/programs/${program.id}/templates/custom/preview`, { method: 'POST', headers, body: JSON.stringify({ subject: 's', html, text: 't' }) });
    await res.arrayBuffer();
    if (res.status !== 422) throw new Error(`the bomb was not refused: ${res.status}`);
  };
  const health = async () => {
    const res = await fetch(`${server.url}/health`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
  };
  return {
    bomb,
    health,
    async close() {
      await server.close();
      await services.store.db.destroy();
    },
  };
}

/** /health polled for budgetMs, with or without an attacker running next to it; rate and worst latency. */
async function pollHealth(s: Awaited<ReturnType<typeof setup>>, budgetMs: number, attack?: string) {
  let attacking = attack !== undefined;
  let refused = 0;
  const attacker = (async () => {
    while (attacking) {
      await s.bomb(attack!);
      refused++;
    }
  })();
  const latencies: number[] = [];
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    const t = performance.now();
    await s.health();
    latencies.push(performance.now() - t);
  }
  const elapsed = performance.now() - start;
  attacking = false;
  await attacker;
  latencies.sort((a, b) => a - b);
  return { rate: (latencies.length * 1000) / elapsed, p99: latencies[Math.floor(latencies.length * 0.99)], max: latencies[latencies.length - 1], refused };
}

export async function runHostileTemplatesBench(budgetMs = 1000): Promise<Row[]> {
  const s = await setup();
  await pollHealth(s, 200);
  const calm = await pollHealth(s, budgetMs);
  const rows: Row[] = [];
  for (const [name, source] of Object.entries(BOMBS)) {
    const r = await pollHealth(s, budgetMs, source);
    rows.push(row(`GET /health while ${name} templates are refused (vs no attack)`, r.rate, calm.rate, `${r.refused} bombs refused; /health p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms (calm: p99 ${calm.p99.toFixed(1)} ms)`));
  }
  await s.close();
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printRows('Hostile tenant: templates', await runHostileTemplatesBench());
}
