import fc from 'fast-check';
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { compileRuleset } from '../../../rules/compile.ts';
import { evaluate } from '../../../rules/evaluate.ts';
import { factKey, HISTORY_FACT_NAMES, type HistoryFactName } from '../../../rules/history-facts.ts';
import { validateRuleset } from '../../../rules/validate.ts';

// History facts against json-rules-engine, where they are dynamic facts
// receiving the condition's params: the reference asks a function with the
// params, we read the value stored under the params' key. Both are fed from
// the same table, so any difference is in how params select a value.

const PARAMS: Record<HistoryFactName, Record<string, unknown>[]> = {
  eventCount: [{}, { type: 'purchase' }, { days: 30 }, { type: 'purchase', days: 30 }],
  eventSum: [{ type: 'purchase', path: 'amount' }, { type: 'purchase', path: 'order.total', days: 30 }, { path: 'amount', type: 'refund', days: 7 }],
  referralCount: [{}, { converted: true }, { converted: false, days: 90 }],
  rewardTotal: [{}, { currency: 'USD' }, { kind: 'cash', currency: 'USD', days: 7 }],
};

const leafArb = fc
  .record({
    fact: fc.constantFrom(...HISTORY_FACT_NAMES),
    pick: fc.nat(3),
    omitEmpty: fc.boolean(),
    operator: fc.constantFrom('equal', 'notEqual', 'lessThan', 'greaterThanInclusive'),
    value: fc.integer({ min: 0, max: 4 }),
    reversed: fc.boolean(),
  })
  .map(({ fact, pick, omitEmpty, operator, value, reversed }) => {
    const options = PARAMS[fact];
    const params = options[pick % options.length];
    // The same question with its keys in another order, or an empty params object left out.
    const shown = reversed ? Object.fromEntries(Object.entries(params).reverse()) : params;
    return { fact, operator, value, ...(omitEmpty && Object.keys(shown).length === 0 ? {} : { params: shown }) };
  });

const docArb = fc
  .array(fc.record({ kind: fc.constantFrom('all', 'any'), leaves: fc.array(leafArb, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 6 })
  .map((rules) => ({
    rules: rules.map((r, i) => ({ name: `r${i}`, conditions: { [r.kind]: r.leaves }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } })),
  }));

const tableArb = fc.tuple(...HISTORY_FACT_NAMES.flatMap((fact) => PARAMS[fact].map(() => fc.integer({ min: 0, max: 4 })))).map((values) => {
  const table: Record<string, number> = {};
  let i = 0;
  for (const fact of HISTORY_FACT_NAMES) for (const params of PARAMS[fact]) table[factKey(fact, params)] = values[i++];
  return table;
});

async function reference(doc: object, table: Record<string, number>): Promise<string[]> {
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const fact of HISTORY_FACT_NAMES) engine.addFact(fact, (params: unknown) => table[factKey(fact, params)]);
  for (const rule of structuredClone((doc as { rules: object[] }).rules)) engine.addRule(rule as never);
  const { results } = await engine.run({});
  return results.map((r) => String(r.name)).sort();
}

describe('differential: history facts vs json-rules-engine dynamic facts', () => {
  it('fires the same rules on 300 generated rulesets', async () => {
    // At most 5 distinct questions per ruleset: the generator may ask more, which validation refuses.
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(docArb, tableArb, async (doc, table) => {
        const checked = validateRuleset(doc, { templateExists: () => true });
        if (!checked.ok) {
          expect(checked.issues.map((i) => i.pointer)).toEqual(['/rules']);
          return;
        }
        compared++;
        const ours = evaluate(compileRuleset(checked.ruleset), table).fired.map((f) => f.name).sort();
        expect(ours).toEqual(await reference(doc, table));
      }),
      { seed: 20_261_130, numRuns: 300 },
    );
    expect(compared).toBeGreaterThan(100);
  });
});
