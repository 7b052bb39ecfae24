import fc from 'fast-check';
import { Engine } from 'json-rules-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRuleset } from '../../rules/compile.ts';
import { evaluate } from '../../rules/evaluate.ts';
import { factsUsed } from '../../rules/facts.ts';
import { historyQueryOf } from '../../rules/history-facts.ts';
import { validateRuleset } from '../../rules/validate.ts';
import { loadHistoryFacts } from '../../runtime/services/history-facts.ts';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

// The event history facts against json-rules-engine, both fed from the same
// generated events: the reference's dynamic facts count and add them up in
// JavaScript from the list; ours are the database's queries over the same
// events stored (loadHistoryFacts), then our evaluator. A difference is in the
// queries: window, type, path, what counts as a number.

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
type Ev = { type: string; ms: number; data: unknown };

// Values exact in binary, so PostgreSQL's exact sums and JavaScript's agree to the bit.
const number = fc.integer({ min: -2000, max: 2000 }).map((n) => n / 2);
const dataArb = fc.oneof(
  number.map((n) => ({ order: { total: n } })),
  number.map((n) => ({ order: { total: n }, amount: n * 2 })),
  number.map((n) => ({ amount: n })),
  number.map((n) => ({ order: { total: String(n) } })),
  fc.boolean().map((b) => ({ order: { total: b }, amount: b })),
  number.map((n) => ({ order: [{ total: n }] })),
  number.map((n) => ({ order: { 0: { total: n } } })),
  number.map((n) => ({ order: { total: { value: n } } })),
  fc.constant({ order: { total: null } }),
  fc.constant({}),
);
const eventArb = fc.record({ type: fc.constantFrom('purchase', 'refund'), ms: fc.integer({ min: 1, max: 60 * DAY }), data: dataArb });

const PARAMS = {
  eventCount: [{}, { type: 'purchase' }, { days: 30 }, { type: 'refund', days: 7 }],
  eventSum: [{ type: 'purchase', path: 'order.total' }, { type: 'purchase', path: 'amount', days: 30 }, { type: 'refund', path: 'order.total', days: 7 }, { type: 'purchase', path: 'order.total.value' }, { type: 'purchase', path: 'order.0.total' }],
} as const;
const leafArb = fc
  .record({ fact: fc.constantFrom('eventCount', 'eventSum') as fc.Arbitrary<keyof typeof PARAMS>, pick: fc.nat(4), operator: fc.constantFrom('equal', 'lessThan', 'greaterThanInclusive'), value: fc.integer({ min: -20, max: 20 }) })
  .map(({ fact, pick, operator, value }) => ({ fact, params: PARAMS[fact][pick % PARAMS[fact].length], operator, value: fact === 'eventSum' ? value * 50 : Math.abs(value) % 8 }));
const docArb = fc.array(fc.array(leafArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }).map((rules) => ({
  rules: rules.map((leaves, i) => ({ name: `r${i}`, conditions: { all: leaves }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } })),
}));

/** The value at a dotted path below data, through objects only (never array indexes), as the store reads it. */
function at(data: unknown, path: string): unknown {
  let value = data;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function inWindow(e: Ev, params: { type?: string; days?: number }): boolean {
  return (params.type === undefined || e.type === params.type) && (params.days === undefined || e.ms <= params.days * DAY);
}

/** The reference's dynamic facts: json-rules-engine calls them with the condition's params. */
function dynamicFacts(events: Ev[]) {
  return {
    eventCount: (params: Record<string, any>) => events.filter((e) => inWindow(e, params ?? {})).length,
    eventSum: (params: Record<string, any>) =>
      events.filter((e) => inWindow(e, params)).reduce((sum, e) => {
        const v = at(e.data, params.path);
        return typeof v === 'number' ? sum + v : sum;
      }, 0),
  };
}

async function reference(doc: { rules: object[] }, events: Ev[]): Promise<string[]> {
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const [name, fact] of Object.entries(dynamicFacts(events))) engine.addFact(name, fact);
  for (const rule of structuredClone(doc.rules)) engine.addRule(rule as never);
  const { results } = await engine.run({});
  return results.map((r) => String(r.name)).sort();
}

describe.each(DIALECTS)('differential on %s: stored event history vs json-rules-engine dynamic facts', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('fires the same rules on 40 generated histories and rulesets', async () => {
    let run = 0;
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 14 }), fc.array(eventArb, { maxLength: 3 }), docArb, async (events, noise, doc) => {
        const participantId = `u${run++}`;
        // The participant's events, and the same kind of events by someone else and in another program: never counted.
        const rows = [
          ...events.map((e, i) => ({ e, id: `${participantId}-${i}`, participant: participantId, program: 'p' })),
          ...noise.map((e, i) => ({ e, id: `${participantId}-n${i}`, participant: `${participantId}-other`, program: 'p' })),
          ...noise.map((e, i) => ({ e, id: `${participantId}-o${i}`, participant: participantId, program: 'other' })),
        ].map(({ e, id, participant, program }) => ({
          tenant_id: 't',
          id,
          program_id: program,
          type: e.type,
          participant_id: participant,
          data: JSON.stringify(e.data),
          occurred_at: new Date(NOW - e.ms).toISOString(),
          request_hash: 'x',
          response: '{}',
          created_at: new Date(NOW).toISOString(),
        }));
        if (rows.length > 0) await h.store.db.insertInto('events').values(rows).execute();
        const checked = validateRuleset(doc, { templateExists: () => true });
        if (!checked.ok) {
          expect(checked.issues.map((i) => i.pointer)).toEqual(['/rules']);
          return;
        }
        compared++;
        const keys = [...factsUsed(checked.ruleset)];
        const facts = await loadHistoryFacts(h.store.db, h.store.dialect, keys, { tenantId: 't', programId: 'p', participantId, occurredAt: new Date(NOW).toISOString() });
        // Each value the same, whatever the thresholds drawn; then the same rules fire.
        const expected = dynamicFacts(events);
        for (const key of keys) {
          const q = historyQueryOf(key);
          if (q) expect(facts[key], key).toBe(expected[q.fact as keyof typeof expected](q.params));
        }
        const ours = evaluate(compileRuleset(checked.ruleset), facts).fired.map((f) => f.name).sort();
        expect(ours).toEqual(await reference(doc, events));
      }),
      { seed: 20_261_130, numRuns: 40 },
    );
    expect(compared).toBeGreaterThan(25);
  });
});
