import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from 'json-rules-engine';
import { oneRewardProgram, benchEvent } from './bench-program.ts';
import { round, startOurs, summarize } from './events-bench.ts';

// What a program's size costs on the live path: the same server, one program
// of 1 rule and one of 100 (the same rule fires in both), events posted one at
// a time in alternating rounds; the difference per event is set against
// json-rules-engine evaluating the same 100 rules on the same facts (an Engine
// built once, its best case). Both programs queue the same email; its
// delivery is held back (a send rate of 1/s), so the outbox's disk writes do
// not drown a difference of a fraction of a millisecond, and the rounds are
// short and many for the same reason.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3) * 2;
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1500) * (2 / 3);

export type RuleCountResult = { cpuMs1: number; cpuMs100: number; p50Ms1: number; p50Ms100: number; beforeWriteMs1: number; beforeWriteMs100: number; engineMs100: number };

export async function runRuleCountBench(): Promise<RuleCountResult> {
  const dir = mkdtempSync(join(tmpdir(), 'advocate-rules-bench-'));
  const ours = await startOurs(`sqlite:${join(dir, 'ours.db')}`, [1, 100], { MAIL_RATE_PER_SECOND: '1' });
  try {
    const [one, hundred] = ours.programs.map((id) => `/v1/programs/${id}/events`);
    await round(ours, 1, 300, one);
    await round(ours, 1, 300, hundred);
    const r1: Round[] = [];
    const r100: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Each program first in turn, so drift hits both.
      const order = i % 2 === 0 ? [one, hundred] : [hundred, one];
      for (const path of order) (path === one ? r1 : r100).push(await round(ours, 1, ROUND_MS, path));
    }
    const [s1, s100] = [summarize(r1), summarize(r100)];
    return {
      cpuMs1: s1.cpuMsPerEvent,
      cpuMs100: s100.cpuMsPerEvent,
      p50Ms1: s1.p50,
      p50Ms100: s100.p50,
      beforeWriteMs1: beforeWrite(r1),
      beforeWriteMs100: beforeWrite(r100),
      engineMs100: await engineMs(100),
    };
  } finally {
    await ours.server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Round = Awaited<ReturnType<typeof round>>;

/** Mean server time per event up to its transaction (load, facts, evaluate, plan): where a program's size can show. */
function beforeWrite(rounds: Round[]): number {
  const ms = rounds.reduce((sum, r) => sum + ['load', 'facts', 'evaluate', 'plan'].reduce((s, k) => s + (r.phases[k] ?? 0), 0), 0);
  return ms / Math.max(1, rounds.reduce((sum, r) => sum + r.count, 0));
}

async function engineMs(ruleCount: number): Promise<number> {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const rule of oneRewardProgram(ruleCount).rules as { name: string }[]) engine.addRule(rule as never);
  const now = new Date().toISOString();
  const facts = {
    event: { ...benchEvent('e-1'), occurredAt: now },
    participant: { id: 'p', email: 'p@example.com', firstName: 'P', lastName: null, locale: null, countryCode: 'US', referredBy: null, w9OnFile: false, payoutInfoComplete: true, emailVerified: false, createdAt: now },
    referrer: null,
    program: { id: 'x', name: 'Bench', settings: {} },
    now,
    stats: {},
  };
  const run = () => engine.run({ ...facts });
  for (let i = 0; i < 200; i++) await run();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    await run();
    n++;
  }
  return (performance.now() - start) / n;
}

export function printRuleCount(r: RuleCountResult) {
  const extraCpu = r.cpuMs100 - r.cpuMs1;
  console.log('\nProgram size on the live path (SQLite, c=1): 100 rules vs 1 rule, next to json-rules-engine evaluating the same 100 rules');
  console.table([
    {
      'CPU ms/ev, 1 rule': Math.round(r.cpuMs1 * 1000) / 1000,
      'CPU ms/ev, 100 rules': Math.round(r.cpuMs100 * 1000) / 1000,
      'extra CPU ms/ev': Math.round(extraCpu * 1000) / 1000,
      'extra p50 ms': Math.round((r.p50Ms100 - r.p50Ms1) * 1000) / 1000,
      'extra server ms before write': Math.round((r.beforeWriteMs100 - r.beforeWriteMs1) * 1000) / 1000,
      'json-rules-engine ms/run': Math.round(r.engineMs100 * 1000) / 1000,
      'extra CPU / engine': `${Math.round((extraCpu / r.engineMs100) * 100) / 100}x`,
      'extra before write / engine': `${Math.round(((r.beforeWriteMs100 - r.beforeWriteMs1) / r.engineMs100) * 100) / 100}x`,
    },
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) printRuleCount(await runRuleCountBench());
