import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresSchema, PG_TEST_URL } from '../test/support/databases.ts';
import { benchEvent, oneRewardProgram } from './bench-program.ts';
import { round, startOurs, summarize, type Measured, type Side } from './events-bench.ts';

// What program controls cost an event: the same server, the events
// benchmark's program (20 rules, one fires) next to a copy whose firing rule
// also asks two history facts and whose settings carry two limits covering its
// reward, one per participant and one program-wide (on PostgreSQL that one
// locks the program's row: events of the program queue for it). The limits
// are far out of reach, so both write the same rows; the difference is the
// facts' and the limits' statements. Alternating rounds, each program first
// in turn. The participant's history grows as the rounds run (a few thousand
// events and rewards by the end), as a busy participant's would.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3) + 1;
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1500) * (2 / 3);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');

const FAR = 1_000_000_000_000;
export const benchLimits = [
  { name: 'per-participant-daily', scope: 'participant', measure: 'count', period: 'day', max: FAR },
  { name: 'program-monthly-usd', scope: 'program', measure: 'amount', currency: 'USD', period: 'month', max: FAR },
];

/** The events benchmark's program, its firing rule also asking two history facts that always pass. */
export function controlledProgram(ruleCount: number) {
  const { rules } = oneRewardProgram(ruleCount) as { rules: any[] };
  const [first, ...rest] = rules;
  const history = [
    { fact: 'eventCount', params: { type: 'purchase', days: 30 }, operator: 'greaterThanInclusive', value: 0 },
    { fact: 'rewardTotal', params: { kind: 'credit', currency: 'USD' }, operator: 'lessThan', value: FAR },
  ];
  return { rules: [{ ...first, conditions: { all: [...first.conditions.all, ...history] } }, ...rest] };
}

export type LimitsRow = { database: string; concurrency: number; plain: Measured; controlled: Measured };

async function addControlledProgram(side: Side): Promise<string> {
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(side.server.url + path, { method, headers: { ...side.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const { id } = await call('POST', '/v1/programs', { name: 'Bench controlled', settings: { limits: benchLimits } });
  await call('PUT', `/v1/programs/${id}/rules`, controlledProgram(20));
  // Both programs must write the same rows: the controlled one pays its reward, skipped by nothing.
  const answer = await call('POST', `/v1/programs/${id}/events`, benchEvent('limits-check'));
  if (answer.rewards?.length !== 1 || answer.fired.some((f: { skipped?: string }) => f.skipped)) throw new Error(`the controlled program did not pay: ${JSON.stringify(answer)}`);
  return `/v1/programs/${id}/events`;
}

async function compare(database: string, url: string, concurrencies: number[]): Promise<LimitsRow[]> {
  // Delivery held back (1 email/s), as in the program-size table: the outbox's writes would drown the difference.
  const ours = await startOurs(url, [20], { MAIL_RATE_PER_SECOND: '1' });
  const rows: LimitsRow[] = [];
  try {
    const plain = ours.path;
    const controlled = await addControlledProgram(ours);
    for (const concurrency of concurrencies) {
      await round(ours, concurrency, 300, plain);
      await round(ours, concurrency, 300, controlled);
      const p: Awaited<ReturnType<typeof round>>[] = [];
      const c: typeof p = [];
      for (let i = 0; i < ROUNDS; i++) {
        const order = i % 2 === 0 ? [plain, controlled] : [controlled, plain];
        for (const path of order) (path === plain ? p : c).push(await round(ours, concurrency, ROUND_MS, path));
      }
      rows.push({ database, concurrency, plain: summarize(p), controlled: summarize(c) });
    }
  } finally {
    await ours.server.stop();
  }
  return rows;
}

export async function runLimitsBench(): Promise<LimitsRow[]> {
  const rows: LimitsRow[] = [];
  if (DATABASES.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'advocate-limits-bench-'));
    try {
      rows.push(...(await compare('SQLite', `sqlite:${join(dir, 'ours.db')}`, [1])));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (DATABASES.includes('postgres')) {
    let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
    try {
      schema = await freshPostgresSchema('bench');
    } catch (error) {
      console.log(`PostgreSQL at ${PG_TEST_URL} unreachable, its rows are skipped: ${(error as Error).message}`);
      return rows;
    }
    try {
      rows.push(...(await compare('PostgreSQL', schema.url, [1, 16])));
    } finally {
      await schema.drop();
    }
  }
  return rows;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function printLimitsRows(rows: LimitsRow[]) {
  console.log('\nProgram controls on the live path: an event whose reward two limits cover and whose rule asks two history facts, vs the same event without (same server, alternating rounds)');
  console.table(
    rows.map(({ database, concurrency, plain, controlled }) => ({
      db: database,
      c: concurrency,
      'plain ev/s': Math.round(plain.eventsPerSec),
      'controlled ev/s': Math.round(controlled.eventsPerSec),
      'ev/s ratio': `${r2(controlled.eventsPerSec / plain.eventsPerSec)}x`,
      'plain p50 ms': r1(plain.p50),
      'controlled p50 ms': r1(controlled.p50),
      'p50 ratio': `${r2(controlled.p50 / plain.p50)}x`,
      'plain CPU ms/ev': r3(plain.cpuMsPerEvent),
      'controlled CPU ms/ev': r3(controlled.cpuMsPerEvent),
      'CPU ratio': `${r2(controlled.cpuMsPerEvent / plain.cpuMsPerEvent)}x`,
      ...(plain.errors + controlled.errors ? { errors: `${plain.errors}/${controlled.errors}` } : {}),
    })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printLimitsRows(await runLimitsBench());
