import fc from 'fast-check';
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { EVALUATION_BUDGET } from '../../../rules/budget.ts';
import { compileRuleset } from '../../../rules/compile.ts';
import { evaluate, EvaluationError } from '../../../rules/evaluate.ts';
import { validateRuleset } from '../../../rules/validate.ts';
import { docArb, factsArb, type Doc } from './arbitraries.ts';

// Fixed by default so failures reproduce; override to explore (RULES_DIFF_SEED=123 RULES_DIFF_RUNS=5000).
const SEED = Number(process.env.RULES_DIFF_SEED ?? 20_260_101);
const RUNS = Number(process.env.RULES_DIFF_RUNS ?? 900);
const FACT_SETS = 6;
const RULES = { min: 15, max: 35 };

type Outcome = { threw: true } | { threw: false; fired: string[] };

/** One fresh Engine per run, as the reference is meant to be used for a one-off evaluation. */
async function reference(doc: Doc, facts: Record<string, unknown>): Promise<Outcome> {
  const copy = structuredClone(doc);
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const [name, condition] of Object.entries(copy.conditions ?? {})) engine.setCondition(name, condition as never);
  for (const rule of copy.rules) engine.addRule(rule as never);
  try {
    const { results } = await engine.run(facts);
    return { threw: false, fired: results.map((r) => String(r.name)).sort() };
  } catch {
    return { threw: true };
  }
}

/** The most work any run of the corpus needed: the budget must leave it far behind. */
let maxSpent = 0;

function ours(compiled: ReturnType<typeof compileRuleset>, facts: Record<string, unknown>): Outcome {
  try {
    const { fired, spent } = evaluate(compiled, facts);
    if (spent > maxSpent) maxSpent = spent;
    return { threw: false, fired: fired.map((f) => f.name).sort() };
  } catch (error) {
    if (!(error instanceof EvaluationError)) throw error;
    return { threw: true };
  }
}

const templates = { templateExists: () => true };

describe('differential: compiled rules vs json-rules-engine 7.3.1', () => {
  it(`agrees on ${RUNS} rulesets x ${FACT_SETS} fact sets (seed ${SEED})`, async () => {
    const tally = { compared: 0, fired: 0, threw: 0, throwingRuns: 0 };
    const count = (outcome: Outcome, rules: number): void => {
      tally.compared += rules;
      if (outcome.threw) tally.threw += rules;
      else tally.fired += outcome.fired.length;
    };
    await fc.assert(
      fc.asyncProperty(docArb(RULES), fc.array(factsArb, { minLength: FACT_SETS, maxLength: FACT_SETS }), async (doc, factSets) => {
        const checked = validateRuleset(doc, templates);
        if (!checked.ok) throw new Error(`generated ruleset refused: ${JSON.stringify(checked.issues.slice(0, 3))}`);
        const compiled = compileRuleset(checked.ruleset);
        for (const facts of factSets) {
          const expected = await reference(doc, facts);
          expect(ours(compiled, facts)).toEqual(expected);
          if (!expected.threw) {
            count(expected, doc.rules.length);
            continue;
          }
          // A throwing run hides every other rule's result, so compare rule by rule as well.
          tally.throwingRuns++;
          for (let i = 0; i < doc.rules.length; i++) {
            const alone = await reference({ ...doc, rules: [doc.rules[i]] }, facts);
            expect(ours(compileRuleset({ ...checked.ruleset, rules: [checked.ruleset.rules[i]] }), facts)).toEqual(alone);
            count(alone, 1);
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`differential: ${JSON.stringify({ ...tally, maxSpent, budget: EVALUATION_BUDGET })}`);
    expect(maxSpent).toBeLessThan(EVALUATION_BUDGET / 1_000);
    if (RUNS >= 900) expect(tally.compared).toBeGreaterThanOrEqual(100_000);
    // Guard the generator's usefulness: a real share of rules must fire and a real share must throw.
    expect(tally.fired / tally.compared).toBeGreaterThan(0.1);
    expect(tally.threw / tally.compared).toBeGreaterThan(0.01);
  }, 300_000);
});
