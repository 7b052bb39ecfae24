import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { startRuntime, type RunningRuntime } from '../test/runtime/runtime-process.ts';

// The real Node server, in its own process as an operator runs it, under one
// attack at a time from a hostile tenant (or nobody at all). Meanwhile this
// process asks /health again and again; its latency during each attack,
// next to idle, shows whether one request can stall every tenant. Attacks
// are plain HTTP requests, so the table reports whatever the server answers
// today: a quick 4xx is the goal, a slow 2xx or a dead server is a finding.

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
/** How long each attack is repeated while /health is measured. */
const WINDOW_MS = 4000;
/** A single request (attack or /health) that takes longer is cut off and reported as such. */
const REQUEST_TIMEOUT_MS = 60_000;

export type HostileRow = {
  attack: string;
  status: string;
  attacks: number;
  attackMs: number | null;
  healthP50: number;
  healthP99: number;
  healthMax: number;
  healthSamples: number;
};

type Attack = { name: string; method: string; path: string; body: string; headers?: Record<string, string> };

type Setup = { server: RunningRuntime; apiKey: string; programId: string; stop(): Promise<void> };

async function startServer(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-bench-'));
  const server = await startRuntime('node', { ADMIN_TOKEN, SECRET_KEY: generateSecretKey(), DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, PUBLIC_URL: 'http://localhost' });
  const call = async (method: string, path: string, body: unknown, token: string) => {
    const res = await fetch(server.baseUrl + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, any>>;
  };
  const { apiKey } = await call('POST', '/v1/tenants', { name: 'Hostile' }, ADMIN_TOKEN);
  const { id: programId } = await call('POST', '/v1/programs', { name: 'Bomb' }, apiKey);
  await call('PUT', '/v1/participants/p', { email: 'p@example.com' }, apiKey);
  // A decorated operator whose value is a fact: every element of one array against every element of another.
  const bomb = { fact: 'event', path: '$.data.a', operator: 'everyFact:everyValue:equal', value: { fact: 'event', path: '$.data.b' } };
  await call('PUT', `/v1/programs/${programId}/rules`, { rules: [{ name: 'bomb', conditions: { all: [bomb] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }] }, apiKey);
  return {
    server,
    apiKey,
    programId,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function attacks(s: Setup): Attack[] {
  const auth = { authorization: `Bearer ${s.apiKey}` };
  const nested = (open: string, close: string, depth: number) => open.repeat(depth) + close.repeat(depth);
  // Arrays of equal numbers, so every comparison succeeds and none can stop early.
  const side = Array(50_000).fill(0);
  let n = 0;
  return [
    // The control: as many bytes, flat, so the table separates the cost of size from the cost of depth.
    { name: 'control: 1 MiB flat string (public route)', method: 'POST', path: '/v1/verification/confirm', body: JSON.stringify({ token: 'x'.repeat(1024 * 1024 - 20) }) },
    { name: 'deep nesting: 1 MiB of [[[[ (public route)', method: 'POST', path: '/v1/verification/confirm', body: nested('[', ']', 512 * 1024 - 1) },
    { name: 'deep nesting: 100k levels of {"a": (public route)', method: 'POST', path: '/v1/microsite/login', body: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) },
    { name: 'deep nesting: 100k levels in event data', method: 'POST', path: `/v1/programs/${s.programId}/events`, headers: auth, get body() { return `{"id":"deep${n++}","type":"x","participantId":"p","data":${nested('[', ']', 100_000)}}`; } },
    { name: 'decorator bomb: everyFact:everyValue over 50k x 50k (one event)', method: 'POST', path: `/v1/programs/${s.programId}/events`, headers: auth, get body() { return JSON.stringify({ id: `bomb${n++}`, type: 'x', participantId: 'p', data: { a: side, b: side } }); } },
    { name: 'Liquid loop bomb: 2000 x 2000 nested for (template preview)', method: 'POST', path: `/v1/programs/${s.programId}/templates/reward/preview`, headers: auth, body: JSON.stringify({ subject: 'x', text: 'x', html: '{% for i in (1..2000) %}{% for j in (1..2000) %}x{% endfor %}{% endfor %}' }) },
  ];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (x: number) => Math.round(x * 10) / 10;

async function timedFetch(url: string, init: RequestInit = {}): Promise<{ status: string; ms: number }> {
  const start = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await res.arrayBuffer();
    return { status: String(res.status), ms: performance.now() - start };
  } catch (error) {
    // A reset here usually means the server sat blocked past its keep-alive timeout, then closed the socket.
    const e = error as Error & { cause?: { code?: string } };
    return { status: e.name === 'TimeoutError' ? `no answer in ${REQUEST_TIMEOUT_MS / 1000}s` : `failed (${e.cause?.code ?? e.message})`, ms: performance.now() - start };
  }
}

/** /health asked back to back while `attack` is repeated (one in flight at a time) for WINDOW_MS; the last attack is awaited. */
async function measure(baseUrl: string, name: string, attack: Attack | null): Promise<HostileRow> {
  const health: number[] = [];
  const statuses = new Map<string, number>();
  const attackTimes: number[] = [];
  const end = performance.now() + WINDOW_MS;
  let attacking = attack !== null;
  const attacker = (async () => {
    while (attack && performance.now() < end) {
      const r = await timedFetch(baseUrl + attack.path, { method: attack.method, headers: { 'content-type': 'application/json', ...attack.headers }, body: attack.body });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      attackTimes.push(r.ms);
      if (!/^\d+$/.test(r.status)) break;
    }
    attacking = false;
  })();
  // Health is measured for the whole window, and on until the last attack has its answer.
  let failures = 0;
  while (performance.now() < end || attacking) {
    const r = await timedFetch(`${baseUrl}/health`);
    if (r.status !== '200') statuses.set(`health ${r.status}`, (statuses.get(`health ${r.status}`) ?? 0) + 1);
    health.push(r.ms);
    failures = /^\d+$/.test(r.status) ? 0 : failures + 1;
    if (failures >= 3) break;
  }
  await attacker;
  const sorted = health.sort((a, b) => a - b);
  return {
    attack: name,
    status: attack ? [...statuses].map(([s, count]) => `${s} x${count}`).join(', ') : '-',
    attacks: attackTimes.length,
    attackMs: attackTimes.length ? ms(attackTimes.sort((a, b) => a - b)[Math.floor(attackTimes.length / 2)]) : null,
    healthP50: ms(percentile(sorted, 50)),
    healthP99: ms(percentile(sorted, 99)),
    healthMax: ms(sorted[sorted.length - 1]),
    healthSamples: sorted.length,
  };
}

/** Idle first, then each attack; a server an attack killed is started again for the next one (and the row says so). */
export async function runHostileBench(): Promise<HostileRow[]> {
  let setup = await startServer();
  const rows: HostileRow[] = [];
  try {
    rows.push(await measure(setup.server.baseUrl, 'idle (no attack)', null));
    for (let i = 0; i < attacks(setup).length; i++) {
      const attack = attacks(setup)[i];
      const row = await measure(setup.server.baseUrl, attack.name, attack);
      rows.push(row);
      const alive = await timedFetch(`${setup.server.baseUrl}/health`);
      if (alive.status !== '200') {
        row.status += ' — server died';
        await setup.stop();
        setup = await startServer();
      }
    }
  } finally {
    await setup.stop();
  }
  return rows;
}

export function printHostileRows(title: string, rows: HostileRow[]) {
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => ({
      attack: r.attack,
      'attack status': r.status,
      'attack ms (median)': r.attackMs ?? '-',
      'health p50 ms': r.healthP50,
      'health p99 ms': r.healthP99,
      'health max ms': r.healthMax,
      'health samples': r.healthSamples,
    })),
  );
}
