import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { clearCompiledCache, COMPILED_CACHE_SIZE, compileRuleset, getCompiled } from '../../../rules/compile.ts';
import { evaluate, EvaluationError } from '../../../rules/evaluate.ts';
import { FACT_NAMES, factsUsed, type Facts } from '../../../rules/facts.ts';
import type { Ruleset } from '../../../rules/schema.ts';
import { validateRuleset } from '../../../rules/validate.ts';
import { anyTemplate, compile, reward } from './compile-valid.ts';

const ctx = anyTemplate;

const participant = {
  id: 'p1',
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: null,
  locale: 'en',
  countryCode: 'GB',
  referredBy: null,
  w9OnFile: false,
  payoutInfoComplete: true,
  emailVerified: true,
  unsubscribed: false,
  referralFlags: [],
  createdAt: '2025-01-01T00:00:00.000Z',
};
const facts: Facts = {
  event: { type: 'purchase', data: { amount: 120, tags: ['vip'] }, occurredAt: '2025-06-01T00:00:00.000Z' },
  participant,
  referrer: null,
  stats: { rewardCount: 2, cashRewardsThisYear: 12_000, referralCount: 4, w9Required: false },
  program: { id: 'prog', name: 'Friends', settings: { w9ThresholdCents: 60_000 } },
  now: '2025-06-01T00:00:00.000Z',
};

describe('evaluate', () => {
  it('orders fired rules by priority descending, then document order', () => {
    const always = { all: [] };
    const compiled = compile({
      rules: [
        { name: 'a', priority: 1, conditions: always, event: reward },
        { name: 'b', priority: 3, conditions: always, event: reward },
        { name: 'c', priority: 1, conditions: always, event: reward },
        { name: 'd', priority: 3, conditions: always, event: reward },
        { name: 'e', priority: 2, conditions: { not: always }, event: reward },
      ],
    });
    expect(evaluate(compiled, facts).fired.map((f) => [f.name, f.priority])).toEqual([
      ['b', 3],
      ['d', 3],
      ['a', 1],
      ['c', 1],
    ]);
  });

  it('reads paths, fact references and shared conditions', () => {
    const compiled = compile({
      rules: [
        {
          name: 'big purchase',
          conditions: {
            all: [
              { condition: 'isPurchase' },
              { fact: 'event', path: '$.data.amount', operator: 'greaterThan', value: 100 },
              { fact: 'stats', path: '$.cashRewardsThisYear', operator: 'lessThan', value: { fact: 'program', path: '$.settings.w9ThresholdCents' } },
              { fact: 'event', path: '$.data.tags', operator: 'contains', value: 'vip' },
              { fact: 'participant', path: '$.countryCode', operator: 'in', value: ['US', 'GB'] },
              { fact: 'referrer', operator: 'equal', value: null },
            ],
          },
          event: reward,
        },
      ],
      conditions: { isPurchase: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' }] } },
    });
    expect(evaluate(compiled, facts).fired).toEqual([
      { name: 'big purchase', priority: 1, action: { type: 'reward', params: { kind: 'cash', amount: 5, currency: 'USD', to: 'participant' } } },
    ]);
  });

  it('shares frozen result entries, so no run can change another', () => {
    const compiled = compile({ rules: [{ name: 'a', conditions: { all: [] }, event: reward }] });
    const [first] = evaluate(compiled, facts).fired;
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.action.params)).toBe(true);
    expect(() => {
      (first.action.params as { amount: number }).amount = 1_000;
    }).toThrow(TypeError);
  });

  it('throws an EvaluationError naming the rule and the condition, where the reference throws', async () => {
    const doc = {
      rules: [
        { name: 'ok', conditions: { all: [] }, event: reward },
        {
          name: 'bad',
          conditions: { any: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' }, { fact: 'stats', operator: 'in', value: { fact: 'event', path: '$.data.amount' } }] },
          event: reward,
        },
      ],
    };
    const error = (() => {
      try {
        evaluate(compile(doc), facts);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EvaluationError);
    expect(error).toMatchObject({ rule: 'bad', pointer: '/rules/1/conditions/any/1' });
    const engine = new Engine(structuredClone(doc.rules) as never[], { allowUndefinedFacts: false });
    await expect(engine.run(facts)).rejects.toThrow();
  });

  it('names conditions inside shared conditions by their own pointer', () => {
    const compiled = compile({
      rules: [{ name: 'r', conditions: { all: [{ condition: 'c' }] }, event: reward }],
      conditions: { c: { all: [{ fact: 'participant', operator: 'someValue:equal', value: { fact: 'now' } }] } },
    });
    expect(() => evaluate(compiled, facts)).toThrow(expect.objectContaining({ rule: 'r', pointer: '/conditions/c/all/0' }));
  });

  it('a missing fact throws only when a condition reading it is reached', () => {
    const compiled = compile({
      rules: [
        { name: 'r', conditions: { any: [{ fact: 'now', operator: 'equal', value: 'x', priority: 2 }, { fact: 'stats', operator: 'equal', value: 1 }] }, event: reward },
      ],
    });
    const { stats: _, ...withoutStats } = facts;
    expect(() => evaluate(compiled, withoutStats)).toThrow(/Undefined fact: stats/);
    expect(evaluate(compiled, { ...withoutStats, now: 'x' }).fired).toHaveLength(1);
  });

  it('an empty "any" that skipped validation evaluates as the reference does (true)', () => {
    const ruleset = { rules: [{ name: 'r', priority: 1, conditions: { any: [] }, event: reward }] } as unknown as Ruleset;
    expect(evaluate(compileRuleset(ruleset), facts).fired).toHaveLength(1);
  });

  it('in/notIn over large constant arrays give indexOf results, NaN included', () => {
    const values = [Number.NaN, 0, 1, 2, 3, 4, 5, 6, 7];
    const ruleset = {
      rules: [
        { name: 'in', priority: 1, conditions: { all: [{ fact: 'stats', operator: 'in', value: values }] }, event: reward },
        { name: 'notIn', priority: 1, conditions: { all: [{ fact: 'stats', operator: 'notIn', value: values }] }, event: reward },
      ],
    } as unknown as Ruleset;
    const compiled = compileRuleset(ruleset);
    for (const stats of [Number.NaN, 0, -0, 7, '7', 8]) {
      const names = evaluate(compiled, { stats }).fired.map((f) => f.name);
      expect(names).toEqual([values.indexOf(stats as number) > -1 ? 'in' : 'notIn']);
    }
  });
});

describe('factsUsed', () => {
  it('lists facts read by conditions, fact references and referenced shared conditions only', () => {
    const result = validateRuleset(
      {
        rules: [{ name: 'r', conditions: { all: [{ fact: 'event', operator: 'equal', value: { fact: 'stats' } }, { condition: 'used' }] }, event: reward }],
        conditions: { used: { not: { fact: 'referrer', operator: 'equal', value: null } }, unused: { all: [{ fact: 'now', operator: 'equal', value: 1 }] } },
      },
      ctx,
    );
    if (!result.ok) throw new Error('invalid');
    expect([...factsUsed(result.ruleset)].sort()).toEqual(['event', 'referrer', 'stats']);
    expect(FACT_NAMES).toEqual(['event', 'participant', 'referrer', 'stats', 'program', 'now']);
  });
});

describe('getCompiled', () => {
  it('returns the cached compilation for a key and evicts the least recently used', () => {
    clearCompiledCache();
    const ruleset = { rules: [{ name: 'r', priority: 1, conditions: { all: [] }, event: reward }] } as unknown as Ruleset;
    const first = getCompiled('k0', ruleset);
    expect(getCompiled('k0', ruleset)).toBe(first);
    for (let i = 1; i < COMPILED_CACHE_SIZE; i++) getCompiled(`k${i}`, ruleset);
    getCompiled('k0', ruleset); // now the most recently used
    getCompiled('overflow', ruleset); // evicts k1
    expect(getCompiled('k0', ruleset)).toBe(first);
    const k2 = getCompiled('k2', ruleset);
    expect(getCompiled('k2', ruleset)).toBe(k2);
    clearCompiledCache();
    expect(getCompiled('k0', ruleset)).not.toBe(first);
  });
});
