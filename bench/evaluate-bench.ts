/**
 * Throughput of the compiled rules against json-rules-engine (an Engine built
 * once and reused, its best case) on the same realistic referral rules and
 * facts. "paths" reads nested facts through JSON paths; "flat" reads
 * pre-flattened facts, isolating the engines from path resolution.
 */
import { Engine } from 'json-rules-engine';
import { compileRuleset } from '../rules/compile.ts';
import { evaluate } from '../rules/evaluate.ts';
import type { Ruleset } from '../rules/schema.ts';
import { printRows, row, type Row } from './measure.ts';

export type { Row };

const COUNTRIES = ['US', 'CA', 'GB', 'IE', 'AU', 'NZ', 'FR', 'DE', 'ES', 'IT', 'NL', 'SE'];

type Leaf = { fact: string; path?: string; operator: string; value: unknown };
/** A leaf reading `fact.path` in the nested form, or the flat fact `flat` otherwise. */
type Read = (fact: string, path: string, flat: string, operator: string, value: unknown) => Leaf;

const nested: Read = (fact, path, _flat, operator, value) => ({ fact, path, operator, value });
const flat: Read = (_fact, _path, name, operator, value) => ({ fact: name, operator, value });

function referralRules(count: number, read: Read): Ruleset {
  const cash = (amount: number, to: 'participant' | 'referrer') => ({ type: 'reward' as const, params: { kind: 'cash' as const, amount, currency: 'USD', to } });
  const templates = [
    (i: number) => ({
      all: [
        read('event', '$.type', 'eventType', 'equal', 'signup'),
        read('participant', '$.emailVerified', 'emailVerified', 'equal', true),
        read('participant', '$.countryCode', 'countryCode', 'in', COUNTRIES.slice(0, 6 + (i % 6))),
      ],
    }),
    (i: number) => ({
      all: [
        read('event', '$.type', 'eventType', 'equal', 'purchase'),
        read('event', '$.data.amount', 'amount', 'greaterThanInclusive', 25 + (i % 5) * 25),
        read('referrer', '$.w9OnFile', 'referrerW9OnFile', 'equal', true),
        read('stats', '$.cashRewardsThisYear', 'cashRewardsThisYear', 'lessThan', 60_000),
      ],
    }),
    (i: number) => ({
      all: [
        read('stats', '$.referralCount', 'referralCount', 'greaterThanInclusive', 3 + (i % 4)),
        read('stats', '$.rewardCount', 'rewardCount', 'lessThan', 10),
        { any: [read('event', '$.type', 'eventType', 'equal', 'purchase'), read('event', '$.type', 'eventType', 'equal', 'subscription_renewed')] },
      ],
    }),
    (i: number) => ({
      all: [
        read('event', '$.type', 'eventType', 'equal', i % 2 === 0 ? 'signup' : 'purchase'),
        { not: read('participant', '$.locale', 'locale', 'in', ['fr', 'de']) },
        read('participant', '$.firstName.length', 'firstNameLength', 'greaterThan', 0),
      ],
    }),
    () => ({
      all: [read('stats', '$.w9Required', 'w9Required', 'equal', true), read('participant', '$.payoutInfoComplete', 'payoutInfoComplete', 'equal', false)],
    }),
  ];
  const rules = Array.from({ length: count }, (_, i) => ({
    name: `rule-${i}`,
    priority: 1 + (i % 3),
    conditions: templates[i % templates.length](i),
    event: i % 5 === 3 ? { type: 'email' as const, params: { template: 'welcome', to: 'participant' as const } } : cash(5 + i, i % 2 === 0 ? 'participant' : 'referrer'),
  }));
  return { rules } as unknown as Ruleset;
}

function participant(i: number) {
  return {
    id: `p${i}`,
    email: `p${i}@example.com`,
    firstName: i % 3 === 0 ? '' : 'Ada',
    lastName: 'Lovelace',
    locale: ['en', 'fr', 'de', 'es'][i % 4],
    countryCode: COUNTRIES[(i * 5) % COUNTRIES.length],
    referredBy: 'p0',
    w9OnFile: i % 2 === 0,
    payoutInfoComplete: i % 3 !== 0,
    emailVerified: i % 4 !== 1,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

function nestedFacts(i: number): Record<string, unknown> {
  return {
    event: { type: ['signup', 'purchase', 'subscription_renewed', 'purchase'][i % 4], data: { amount: 20 + i * 37, plan: 'pro' }, occurredAt: '2025-06-01T00:00:00.000Z' },
    participant: participant(i),
    referrer: participant(i + 1),
    stats: { rewardCount: i % 12, cashRewardsThisYear: 10_000 * i, referralCount: i % 8, w9Required: i % 5 === 0 },
    program: { id: 'prog', name: 'Referral', settings: {} },
    now: '2025-06-01T00:00:00.000Z',
  };
}

function flatFacts(i: number): Record<string, unknown> {
  const n = nestedFacts(i) as { event: { type: string; data: { amount: number } }; participant: ReturnType<typeof participant>; referrer: ReturnType<typeof participant>; stats: Record<string, unknown> };
  return {
    eventType: n.event.type,
    amount: n.event.data.amount,
    emailVerified: n.participant.emailVerified,
    countryCode: n.participant.countryCode,
    locale: n.participant.locale,
    firstNameLength: n.participant.firstName.length,
    payoutInfoComplete: n.participant.payoutInfoComplete,
    referrerW9OnFile: n.referrer.w9OnFile,
    ...n.stats,
  };
}

const FACT_SETS = 8;

/**
 * Like measure.ts's rate(), but awaits only what returns a promise: awaiting
 * each synchronous evaluate() would time the microtask queue, not the rules.
 */
async function timeBoxed(seconds: number, run: (i: number) => unknown): Promise<number> {
  const warmUntil = performance.now() + 200;
  for (let i = 0; performance.now() < warmUntil; i++) {
    const pending = run(i % FACT_SETS);
    if (pending instanceof Promise) await pending;
  }
  const deadline = performance.now() + seconds * 1000;
  let ops = 0;
  const start = performance.now();
  while (performance.now() < deadline) {
    for (let k = 0; k < 64; k++) {
      const pending = run(ops++ % FACT_SETS);
      if (pending instanceof Promise) await pending;
    }
  }
  return ops / ((performance.now() - start) / 1000);
}

async function measure(name: string, ruleset: Ruleset, facts: Record<string, unknown>[], seconds: number): Promise<Row> {
  const engine = new Engine(structuredClone(ruleset.rules) as never[], { allowUndefinedFacts: false });
  const compiled = compileRuleset(ruleset);
  // Same answers first, or the figures compare different work.
  for (const f of facts) {
    const theirs = (await engine.run(f)).results.map((r) => String(r.name)).sort();
    const ours = evaluate(compiled, f).fired.map((r) => r.name).sort();
    if (JSON.stringify(theirs) !== JSON.stringify(ours)) throw new Error(`${name}: engines disagree on ${JSON.stringify(f)}`);
  }
  const baselineOpsPerSec = await timeBoxed(seconds, (i) => engine.run(facts[i]));
  const opsPerSec = await timeBoxed(seconds, (i) => evaluate(compiled, facts[i]));
  return row(name, opsPerSec, baselineOpsPerSec);
}

export async function runEvaluateBench(seconds = 1): Promise<Row[]> {
  const nestedSets = Array.from({ length: FACT_SETS }, (_, i) => nestedFacts(i));
  const flatSets = Array.from({ length: FACT_SETS }, (_, i) => flatFacts(i));
  const rows: Row[] = [];
  for (const count of [20, 100]) {
    rows.push(await measure(`evaluate ${count} rules, paths`, referralRules(count, nested), nestedSets, seconds));
    rows.push(await measure(`evaluate ${count} rules, flat`, referralRules(count, flat), flatSets, seconds));
  }
  return rows;
}

const entry = globalThis.process?.argv?.[1] ?? '';
if (/evaluate-bench\.ts$/.test(entry) && import.meta.url.endsWith('/bench/evaluate-bench.ts')) {
  printRows('Rule evaluation: compiled rules vs json-rules-engine 7.3.1 (cached Engine)', await runEvaluateBench());
}
