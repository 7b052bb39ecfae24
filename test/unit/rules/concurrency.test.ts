import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleset } from '../../../rules/compile.ts';
import { evaluate } from '../../../rules/evaluate.ts';
import { explain } from '../../../rules/explain.ts';
import { validateRuleset } from '../../../rules/validate.ts';
import { docArb, factsArb } from './arbitraries.ts';

function settle<T>(run: () => T): { value: T } | { error: string } {
  try {
    return { value: run() };
  } catch (error) {
    return { error: String(error) };
  }
}

const names = (run: () => { fired: { name: string }[] }) => {
  const result = settle(run);
  return 'value' in result ? { value: result.value.fired.map((f) => f.name) } : result;
};

describe('concurrent evaluations of one compiled ruleset', () => {
  it('equal the sequential results', async () => {
    const [doc] = fc.sample(docArb({ min: 10, max: 10 }), { seed: 3, numRuns: 1 });
    const factSets = fc.sample(factsArb, { seed: 4, numRuns: 2_000 });
    const checked = validateRuleset(doc, { templateExists: () => true });
    if (!checked.ok) throw new Error('invalid');
    const compiled = compileRuleset(checked.ruleset);

    const sequential = factSets.map((facts) => names(() => evaluate(compiled, facts)));
    const concurrent = await Promise.all(
      factSets.map(async (facts, i) => {
        // Interleave runs (and traced runs) across turns of the event loop.
        await new Promise((resolve) => setTimeout(resolve, i % 7));
        settle(() => explain(compiled, factSets[(i * 31) % factSets.length]));
        await null;
        return names(() => evaluate(compiled, facts));
      }),
    );
    expect(concurrent).toEqual(sequential);
    // Both outcomes must be well represented for the comparison to mean something.
    expect(sequential.filter((r) => 'value' in r && r.value.length > 0).length).toBeGreaterThan(200);
    expect(sequential.filter((r) => 'error' in r).length).toBeGreaterThan(200);
  });
});
