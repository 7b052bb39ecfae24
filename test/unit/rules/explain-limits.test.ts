import { describe, expect, it } from 'vitest';
import { BudgetExceeded } from '../../../rules/budget.ts';
import { EvaluationError } from '../../../rules/evaluate.ts';
import { explain, EXPLANATION_BYTES, type ExplainLeaf, type ExplainNode } from '../../../rules/explain.ts';
import { PREVIEW_BYTES, PREVIEW_ITEMS, summarize } from '../../../rules/explain-values.ts';
import { compile, reward } from './compile-valid.ts';

const leaves = (node: ExplainNode): ExplainLeaf[] => ('children' in node ? node.children.flatMap(leaves) : [node]);
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

describe('summarize', () => {
  it('keeps values whose JSON fits in the preview size as they are', () => {
    for (const value of [null, true, 3.5, 'short', [1, 2, 3], { a: 1, b: ['x'] }, 'é'.repeat(100), undefined]) {
      expect(summarize(value)).toBe(value);
    }
  });

  it('replaces a long string by its length and a preview', () => {
    const s = 'a'.repeat(100_000);
    expect(summarize(s)).toEqual({ truncated: true, type: 'string', length: 100_000, preview: 'a'.repeat(256) });
  });

  it('replaces a large array by its length and a preview of its first elements', () => {
    const summary = summarize(Array.from({ length: 100_000 }, (_, i) => i)) as { truncated: true; type: string; length: number; preview: unknown[] };
    expect(summary).toMatchObject({ truncated: true, type: 'array', length: 100_000 });
    expect(summary.preview).toEqual(Array.from({ length: PREVIEW_ITEMS }, (_, i) => i));
  });

  it('replaces a large object by its key count and a preview, summarizing nested values', () => {
    const value = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 'v'.repeat(2_000)]));
    const summary = summarize(value) as { truncated: true; type: string; keys: number; preview: Record<string, unknown> };
    expect(summary).toMatchObject({ truncated: true, type: 'object', keys: 5_000 });
    expect(Object.keys(summary.preview).length).toBeGreaterThan(0);
    expect(Object.keys(summary.preview).length).toBeLessThanOrEqual(PREVIEW_ITEMS);
    expect(summary.preview.k0).toMatchObject({ truncated: true, type: 'string', length: 2_000 });
  });

  it('bounds every summary, whatever the value, deep nesting included', () => {
    let deep: unknown = 'x'.repeat(10_000);
    for (let i = 0; i < 5_000; i++) deep = i % 2 === 0 ? [deep, i] : { inner: deep, n: i };
    const wide = Array.from({ length: 1_000 }, () => Array.from({ length: 1_000 }, () => 'yyyyyyyy'));
    const escapes = '\u0001'.repeat(5_000);
    for (const value of [deep, wide, escapes, [escapes, escapes]]) {
      expect(bytes(summarize(value))).toBeLessThanOrEqual(PREVIEW_BYTES * 2);
    }
  });
});

describe('explain limits', () => {
  const blob = Array.from({ length: 20_000 }, (_, i) => `item-${i}`);
  const long = Array.from({ length: 2_000 }, (_, i) => `${'x'.repeat(110)}${i}`);
  const facts = { event: { type: 'purchase', data: { blob, long, text: 'z'.repeat(150_000) }, occurredAt: '' } };

  it('shows large fact values and constants as summaries', () => {
    const compiled = compile({
      rules: [
        {
          name: 'r',
          conditions: {
            any: [
              { fact: 'event', path: '$.data.blob', operator: 'contains', value: 'nope' },
              { fact: 'event', path: '$.data.text', operator: 'equal', value: 'nope' },
              { fact: 'event', path: '$.type', operator: 'in', value: blob },
            ],
          },
          event: reward,
        },
      ],
    });
    const [rule] = explain(compiled, facts);
    const [contains, equal, inList] = leaves(rule.conditions);
    expect(contains.factValue).toMatchObject({ truncated: true, type: 'array', length: 20_000 });
    expect(equal.factValue).toMatchObject({ truncated: true, type: 'string', length: 150_000 });
    expect(inList).toMatchObject({ factValue: 'purchase', value: { truncated: true, type: 'array', length: 20_000 } });
    expect(bytes(rule)).toBeLessThan(10_000);
  });

  it('caps the whole explanation: a small request cannot become a huge answer', () => {
    // 90 references x 50 leaves, each showing the 150 KB string: about 700 MB if copied per leaf.
    const compiled = compile({
      rules: [{ name: 'amplifier', conditions: { any: Array.from({ length: 90 }, () => ({ condition: 'scan' })) }, event: reward }],
      conditions: { scan: { any: Array.from({ length: 50 }, () => ({ fact: 'event', path: '$.data.text', operator: 'equal', value: 'nope' })) } },
    });
    const shown = explain(compiled, facts);
    expect(bytes(shown)).toBeLessThanOrEqual(EXPLANATION_BYTES);
    // With a list of long strings both read and compared with: about 2 KB a condition, past the cap, so it stops and names where.
    const wider = compile({
      rules: [{ name: 'amplifier', conditions: { any: Array.from({ length: 90 }, () => ({ condition: 'scan' })) }, event: reward }],
      conditions: { scan: { any: Array.from({ length: 50 }, () => ({ fact: 'event', path: '$.data.long', operator: 'in', value: long.slice(0, 10) })) } },
    });
    let error: unknown;
    try {
      explain(wider, facts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EvaluationError);
    expect((error as EvaluationError).pointer).toMatch(/^\/conditions\/scan\/any\/\d+$/);
    expect((error as EvaluationError).cause).toMatchObject({ kind: 'explanation' });
    expect((error as EvaluationError).cause).toBeInstanceOf(BudgetExceeded);
  });

  it('takes a smaller cap, counted from above: the answer is never larger than the count', () => {
    const compiled = compile({ rules: [{ name: 'r', conditions: { all: [{ fact: 'event', path: '$.data.blob', operator: 'contains', value: 'item-3' }] }, event: reward }] });
    const size = bytes(explain(compiled, facts));
    expect(() => explain(compiled, facts, { maxBytes: size * 2 })).not.toThrow();
    expect(() => explain(compiled, facts, { maxBytes: size - 1 })).toThrow(EvaluationError);
  });
});
