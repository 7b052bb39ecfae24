import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../runtime/node/free-port.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { freshPostgresSchema, PG_TEST_URL } from '../test/support/databases.ts';
import { BENCH_PARTICIPANTS, benchParticipantId, oneRewardProgram, benchEvent } from './bench-program.ts';
import { postLoad, percentile } from './load.ts';
import { startServer, type ServerProcess } from './processes.ts';

// Events end to end over HTTP: the real server (runtime/node.ts, dispatcher
// and all) against a bare Hono app (bench/bare-app.ts) writing the same rows
// on the same database kind and settings, each in its own process, measured
// in alternating rounds so both see the same machine. CPU per event is the
// server process's own CPU time (the outbox delivery of the event's email
// included) divided by the events it accepted.

const ADMIN = 'bench-admin-token-0123456789';
// Knobs for a quick look: BENCH_DATABASES=sqlite, shorter rounds, and
// BENCH_PROFILE=<dir> to write each server's CPU profile there;
// BENCH_MAIL_RATE=1 holds delivery back, to see the event path without the outbox's own writes.
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');
// BENCH_CONCURRENCY=8,16 runs only those concurrencies (a quick look at one row).
const only = (levels: number[]) => (process.env.BENCH_CONCURRENCY ? process.env.BENCH_CONCURRENCY.split(',').map(Number) : levels);
const tsx = ['--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])];

export type Side = { server: ServerProcess; path: string; headers: Record<string, string>; prefix: string };
export type Measured = { eventsPerSec: number; p50: number; p99: number; cpuMsPerEvent: number; errors: number };
export type EventsRow = { database: string; concurrency: number; ours: Measured; bare: Measured };

/** The real server, configured as `npm start` would be but for the database and a send rate that keeps the outbox drained. */
export async function startOurs(databaseUrl: string, ruleCounts: number[] = [20], env: Record<string, string> = {}): Promise<Side & { programs: string[] }> {
  const server = await startServer(process.execPath, [...tsx, 'runtime/node.ts'], { DATABASE_URL: databaseUrl, ADMIN_TOKEN: ADMIN, SECRET_KEY: generateSecretKey(), MAIL_RATE_PER_SECOND: process.env.BENCH_MAIL_RATE ?? '10000', MAIL_CAPTURE: 'true', ...env }, await freePort());
  const call = async (method: string, path: string, token: string, body: unknown) => {
    const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, string>>;
  };
  const { apiKey } = await call('POST', '/v1/tenants', ADMIN, { name: 'Bench' });
  for (let n = 0; n < BENCH_PARTICIPANTS; n++) {
    const id = benchParticipantId(n);
    await call('PUT', `/v1/participants/${id}`, apiKey, { email: `${id}@example.com`, firstName: 'P', countryCode: 'US', payoutInfoComplete: true });
  }
  const programs: string[] = [];
  for (const count of ruleCounts) {
    const { id } = await call('POST', '/v1/programs', apiKey, { name: `Bench ${count}` });
    await call('PUT', `/v1/programs/${id}/rules`, apiKey, oneRewardProgram(count));
    programs.push(id);
  }
  return { server, path: `/v1/programs/${programs[0]}/events`, headers: { authorization: `Bearer ${apiKey}` }, prefix: 'o', programs };
}

export async function startBare(databaseUrl: string): Promise<Side> {
  const server = await startServer(process.execPath, [...tsx, 'bench/bare-app.ts'], { DATABASE_URL: databaseUrl }, await freePort());
  return { server, path: '/v1/programs/bare-program/events', headers: {}, prefix: 'b' };
}

let sequence = 0;
export async function round(side: Side, concurrency: number, ms: number, path = side.path) {
  const cpu0 = side.server.cpuMs();
  const run = `${side.prefix}${sequence++}-`;
  // The server's own account of each event (Server-Timing), summed per phase.
  const phases: Record<string, number> = {};
  const result = await postLoad(side.server.url, path, side.headers, (n) => JSON.stringify(benchEvent(run + n, n)), concurrency, ms, (headers) => {
    for (const part of String(headers['server-timing'] ?? '').split(', ')) {
      const [name, dur] = part.split(';dur=');
      if (dur) phases[name] = (phases[name] ?? 0) + Number(dur);
    }
  });
  return { ...result, cpuMs: side.server.cpuMs() - cpu0, phases };
}

type Round = Awaited<ReturnType<typeof round>>;

export function summarize(rounds: Round[]): Measured {
  const count = rounds.reduce((s, r) => s + r.count, 0);
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0);
  const latencies = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  return {
    eventsPerSec: count / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerEvent: rounds.reduce((s, r) => s + r.cpuMs, 0) / Math.max(1, count),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
  };
}

// Before the first measured round each side serves this long at concurrency 8,
// so both are measured warm: V8 optimizes a function only after it has run a
// while, and the server has far more code to optimize than the bare app. With
// only the short per-concurrency warm-up, the first rows counted the server's
// JIT compilation as CPU per event (a sixth of its CPU at concurrency 1, by
// `perf`), a cost a long-running server pays once. BENCH_WARMUP_MS changes it.
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3000);

async function compare(database: string, ours: Side, bare: Side, concurrencies: number[]): Promise<EventsRow[]> {
  const rows: EventsRow[] = [];
  await round(ours, 8, WARMUP_MS);
  await round(bare, 8, WARMUP_MS);
  for (const concurrency of concurrencies) {
    await round(ours, concurrency, 300);
    await round(bare, concurrency, 300);
    const o: Round[] = [];
    const b: Round[] = [];
    // Alternating, and each side first in turn, so drift on a shared machine hits both.
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        o.push(await round(ours, concurrency, ROUND_MS));
        b.push(await round(bare, concurrency, ROUND_MS));
      } else {
        b.push(await round(bare, concurrency, ROUND_MS));
        o.push(await round(ours, concurrency, ROUND_MS));
      }
    }
    rows.push({ database, concurrency, ours: summarize(o), bare: summarize(b) });
  }
  return rows;
}

export async function runEventsBench(): Promise<EventsRow[]> {
  const rows: EventsRow[] = [];
  if (DATABASES.includes('sqlite')) rows.push(...(await sqliteRows()));
  if (DATABASES.includes('postgres')) rows.push(...(await postgresRows()));
  return rows;
}

async function sqliteRows(): Promise<EventsRow[]> {
  const rows: EventsRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'advocate-events-bench-'));
  try {
    const ours = await startOurs(`sqlite:${join(dir, 'ours.db')}`);
    const bare = await startBare(`sqlite:${join(dir, 'bare.db')}`);
    try {
      rows.push(...(await compare('SQLite', ours, bare, only([1, 8, 64]))));
    } finally {
      await ours.server.stop();
      await bare.server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function postgresRows(): Promise<EventsRow[]> {
  const rows: EventsRow[] = [];
  let schemas: Awaited<ReturnType<typeof freshPostgresSchema>>[] = [];
  try {
    schemas = [await freshPostgresSchema('bench'), await freshPostgresSchema('bench')];
  } catch (error) {
    console.log(`PostgreSQL at ${PG_TEST_URL} unreachable, its rows are skipped: ${(error as Error).message}`);
    return rows;
  }
  try {
    const ours = await startOurs(schemas[0].url);
    const bare = await startBare(schemas[1].url);
    try {
      rows.push(...(await compare('PostgreSQL', ours, bare, only([1, 16, 64]))));
    } finally {
      await ours.server.stop();
      await bare.server.stop();
    }
  } finally {
    for (const s of schemas) await s.drop();
  }
  return rows;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function printEventsRows(rows: EventsRow[]) {
  console.log('\nEvents end to end (POST /v1/programs/:id/events over HTTP, 20 rules, 1 fires): the server vs a bare Hono app writing the same rows');
  console.table(
    rows.map((r) => ({
      db: r.database,
      c: r.concurrency,
      'ours ev/s': Math.round(r.ours.eventsPerSec),
      'bare ev/s': Math.round(r.bare.eventsPerSec),
      'ratio': `${r2(r.ours.eventsPerSec / r.bare.eventsPerSec)}x`,
      'ours p50/p99 ms': `${r1(r.ours.p50)}/${r1(r.ours.p99)}`,
      'bare p50/p99 ms': `${r1(r.bare.p50)}/${r1(r.bare.p99)}`,
      'ours CPU ms/ev': r3(r.ours.cpuMsPerEvent),
      'bare CPU ms/ev': r3(r.bare.cpuMsPerEvent),
      'CPU ratio': `${r2(r.ours.cpuMsPerEvent / r.bare.cpuMsPerEvent)}x`,
      ...(r.ours.errors + r.bare.errors ? { errors: `${r.ours.errors}/${r.bare.errors}` } : {}),
    })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printEventsRows(await runEventsBench());
