import { describe, expect, it } from 'vitest';
import { BudgetExceeded, EVALUATION_BUDGET } from '../../../rules/budget.ts';
import { evaluate, EvaluationError } from '../../../rules/evaluate.ts';
import { explain } from '../../../rules/explain.ts';
import { compile, reward } from './compile-valid.ts';

// Each attack here would run for seconds to minutes without the budget; with it
// each must stop with an EvaluationError naming the condition that ran out.

const list = (n: number, value: unknown) => Array.from({ length: n }, () => value);
const eventWith = (data: Record<string, unknown>) => ({ event: { type: 'purchase', data, occurredAt: '2026-06-15T12:00:00.000Z' }, stats: { rewardCount: 1 } });

function thrown(run: () => unknown): EvaluationError {
  try {
    run();
  } catch (error) {
    if (error instanceof EvaluationError) return error;
    throw error;
  }
  throw new Error('the evaluation did not stop');
}

/** A rule of 90 references to a shared group of 50 copies of one leaf: every leaf runs when it fails under "any" or passes under "all". */
function repeated(leaf: object, group: 'any' | 'all' = 'any') {
  return compile({
    rules: [{ name: 'wide', conditions: { [group]: Array.from({ length: 90 }, () => ({ condition: 'scan' })) }, event: reward }],
    conditions: { scan: { [group]: list(50, leaf) } },
  });
}

describe('evaluation budget', () => {
  const bomb = {
    rules: [
      { name: 'fine', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' }] }, event: reward },
      {
        name: 'bomb',
        conditions: {
          any: [
            { fact: 'event', path: '$.type', operator: 'equal', value: 'signup' },
            { fact: 'event', path: '$.data.a', operator: 'someFact:someValue:equal', value: { fact: 'event', path: '$.data.b' } },
          ],
        },
        event: reward,
      },
    ],
  };
  const bombFacts = eventWith({ a: list(100_000, 0), b: list(100_000, 1) });

  it('stops a decorator bomb (N x M comparisons) at the condition that ran out, the same way every time', () => {
    const compiled = compile(bomb);
    const first = thrown(() => evaluate(compiled, bombFacts));
    expect(first).toMatchObject({ rule: 'bomb', pointer: '/rules/1/conditions/any/1' });
    expect(first.cause).toBeInstanceOf(BudgetExceeded);
    expect((first.cause as BudgetExceeded).kind).toBe('work');
    const again = thrown(() => evaluate(compiled, bombFacts));
    expect([again.pointer, again.message]).toEqual([first.pointer, first.message]);
  });

  it('counts deterministically: a run passes with exactly the work it needs and stops with one unit less', () => {
    const compiled = compile(bomb);
    const facts = eventWith({ a: [0, 1, 2, 3], b: [4, 5, 6, 7, 8] });
    const { spent } = evaluate(compiled, facts);
    expect(spent).toBeGreaterThanOrEqual(4 * 5);
    expect(evaluate(compiled, facts, { budget: spent }).fired.map((f) => f.name)).toEqual(['fine']);
    expect(thrown(() => evaluate(compiled, facts, { budget: spent - 1 })).cause).toBeInstanceOf(BudgetExceeded);
  });

  it('stops every-decorators, which visit everything when nothing fails', () => {
    const compiled = compile({
      rules: [{ name: 'every', conditions: { all: [{ fact: 'event', path: '$.data.a', operator: 'everyFact:everyValue:notEqual', value: { fact: 'event', path: '$.data.b' } }] }, event: reward }],
    });
    expect(thrown(() => evaluate(compiled, bombFacts)).pointer).toBe('/rules/0/conditions/all/0');
  });

  it('nested decorators over nested arrays pay for every element they visit, empty ones included', () => {
    const compiled = compile({
      rules: [{ name: 'nested', conditions: { all: [{ fact: 'event', path: '$.data.a', operator: 'someFact:someFact:equal', value: 1 }] }, event: reward }],
    });
    const facts = eventWith({ a: list(2_000, []) });
    const { spent } = evaluate(compiled, facts);
    expect(spent).toBeGreaterThanOrEqual(2_000);
  });

  it('charges "in" over a long fact string by its length', () => {
    const compiled = compile({
      rules: [{ name: 'in', conditions: { all: [{ fact: 'event', path: '$.data.words', operator: 'someFact:in', value: { fact: 'event', path: '$.data.text' } }] }, event: reward }],
    });
    const error = thrown(() => evaluate(compiled, eventWith({ words: list(50_000, 'needle'), text: 'x'.repeat(400_000) })));
    expect(error.pointer).toBe('/rules/0/conditions/all/0');
  });

  it('charges constant conditions that scan or convert a large fact value, however many of them there are', () => {
    const big = list(200_000, 7);
    for (const [leaf, group] of [
      [{ fact: 'event', path: '$.data.a', operator: 'contains', value: 'needle' }, 'any'],
      [{ fact: 'event', path: '$.data.a', operator: 'doesNotContain', value: 7 }, 'any'],
      [{ fact: 'event', path: '$.data.a', operator: 'lessThan', value: 10 }, 'any'],
      [{ fact: 'event', path: '$.data.a', operator: 'not:greaterThanInclusive', value: 10 }, 'all'],
    ] as const) {
      const error = thrown(() => evaluate(repeated(leaf, group), eventWith({ a: big })));
      expect(error.pointer).toMatch(new RegExp(`^/conditions/scan/${group}/\\d+$`));
      expect(error.cause).toBeInstanceOf(BudgetExceeded);
    }
  });

  it('charges fact-to-fact comparisons of long strings', () => {
    const leaf = { fact: 'event', path: '$.data.s', operator: 'equal', value: { fact: 'event', path: '$.data.t' } };
    const s = 'a'.repeat(500_000);
    const error = thrown(() => evaluate(repeated(leaf), eventWith({ s, t: `${'a'.repeat(499_999)}b` })));
    expect(error.cause).toBeInstanceOf(BudgetExceeded);
  });

  it('charges nothing for equality with a constant or membership in a constant list, whatever the fact holds', () => {
    const compiled = compile({
      rules: [
        {
          name: 'constants',
          conditions: {
            all: [
              { fact: 'event', path: '$.data.a', operator: 'notEqual', value: 'x' },
              { fact: 'event', path: '$.data.a', operator: 'notIn', value: ['x', 'y'] },
              { fact: 'event', path: '$.data.a', operator: 'notIn', value: Array.from({ length: 50 }, (_, i) => `v${i}`) },
              { fact: 'event', path: '$.data.n', operator: 'greaterThan', value: 1 },
            ],
          },
          event: reward,
        },
      ],
    });
    const { fired, spent } = evaluate(compiled, eventWith({ a: list(100_000, 'x'), n: 2 }));
    expect([fired.length, spent]).toEqual([1, 0]);
  });

  it('leaves a realistic program far inside the budget', () => {
    const skus = Array.from({ length: 30 }, (_, i) => `sku-${i}`);
    const compiled = compile({
      rules: Array.from({ length: 100 }, (_, i) => ({
        name: `r${i}`,
        conditions: {
          all: [
            { fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' },
            { fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: 50 + i },
            { fact: 'event', path: '$.data.skus', operator: 'someFact:in', value: skus },
            { fact: 'event', path: '$.data.tags', operator: 'contains', value: 'vip' },
            { fact: 'stats', path: '$.rewardCount', operator: 'lessThan', value: { fact: 'event', path: '$.data.limit' } },
          ],
        },
        event: reward,
      })),
    });
    const items = [...Array.from({ length: 49 }, (_, i) => `item-${i}`), 'sku-29'];
    const { spent, fired } = evaluate(compiled, eventWith({ amount: 500, skus: items, tags: ['new', 'vip'], limit: 10 }));
    expect(fired).toHaveLength(100);
    expect(spent).toBeLessThan(EVALUATION_BUDGET / 5);
  });

  it('the validator accepts the longest decorator chains over fact references: the run, not the shape, bounds them', () => {
    const operator = 'not:someFact:swap:someFact:swap:someValue:someFact:equal';
    const compiled = compile({
      rules: [{ name: 'chain', conditions: { all: [{ fact: 'event', path: '$.data.a', operator, value: { fact: 'event', path: '$.data.b' } }] }, event: reward }],
    });
    const nested = (n: number, value: number) => list(n, list(n, value));
    // n^4 comparisons, none equal: 81 for n = 3, 8.1 x 10^9 for n = 300.
    expect(evaluate(compiled, eventWith({ a: nested(3, 0), b: nested(3, 1) })).fired).toHaveLength(1);
    expect(thrown(() => evaluate(compiled, eventWith({ a: nested(300, 0), b: nested(300, 1) }))).cause).toBeInstanceOf(BudgetExceeded);
  });

  it('explain() stops where evaluate() stops, with the same error', () => {
    const compiled = compile(bomb);
    const evaluated = thrown(() => evaluate(compiled, bombFacts));
    const explained = thrown(() => explain(compiled, bombFacts));
    expect([explained.pointer, explained.message]).toEqual([evaluated.pointer, evaluated.message]);
  });
});
