import { describe, expect, it } from 'vitest';
import { MAX_RECEIPT_CONDITIONS, tracePassedConditions } from '../../../rules/receipt-trace.ts';
import { PREVIEW_BYTES } from '../../../rules/explain.ts';
import { compile, reward } from './compile-valid.ts';

const leaf = (path: string, operator: string, value: unknown) => ({ fact: 'event', path, operator, value });
const facts = (data: Record<string, unknown>) => ({ event: { type: 'purchase', data } });

describe('receipt trace', () => {
  it('keeps the conditions that made the rule fire: the branch of an any that held, nothing inside a not', () => {
    const compiled = compile({
      rules: [
        {
          name: 'pay',
          conditions: {
            all: [
              leaf('$.type', 'equal', 'purchase'),
              { any: [leaf('$.data.amount', 'greaterThan', 100), leaf('$.data.vip', 'equal', true)] },
              { not: { all: [leaf('$.data.country', 'equal', 'XX'), leaf('$.data.amount', 'lessThan', 0)] } },
            ],
          },
          event: reward,
        },
        { name: 'other', conditions: { all: [leaf('$.type', 'equal', 'purchase')] }, event: reward },
      ],
    });
    const traces = tracePassedConditions(compiled, facts({ amount: 50, vip: true, country: 'XX' }), new Set(['pay']));
    expect([...traces.keys()]).toEqual(['pay']);
    expect(traces.get('pay')).toEqual({
      truncated: false,
      conditions: [
        { pointer: '/rules/0/conditions/all/0', fact: 'event', path: '$.type', operator: 'equal', value: 'purchase', factValue: 'purchase' },
        { pointer: '/rules/0/conditions/all/1/any/1', fact: 'event', path: '$.data.vip', operator: 'equal', value: true, factValue: true },
      ],
    });
  });

  it('stays small whatever the event carries: a bounded number of conditions, large values summarised', () => {
    const many = Array.from({ length: MAX_RECEIPT_CONDITIONS + 20 }, () => leaf('$.data.blob', 'notEqual', 'x'));
    const compiled = compile({ rules: [{ name: 'pay', conditions: { all: many }, event: reward }] });
    const trace = tracePassedConditions(compiled, facts({ blob: 'y'.repeat(100_000) }), new Set(['pay'])).get('pay')!;
    expect(trace.truncated).toBe(true);
    expect(trace.conditions).toHaveLength(MAX_RECEIPT_CONDITIONS);
    expect(JSON.stringify(trace.conditions[0].factValue).length).toBeLessThan(PREVIEW_BYTES + 100);
    expect(JSON.stringify(trace).length).toBeLessThan(MAX_RECEIPT_CONDITIONS * (PREVIEW_BYTES + 200));
  });
});
