import { afterAll, describe, expect, it } from 'vitest';
import { compileRuleset } from '../../../rules/compile.ts';
import { evaluate } from '../../../rules/evaluate.ts';
import { parsePath } from '../../../rules/path.ts';
import type { Ruleset } from '../../../rules/schema.ts';
import { validateRuleset } from '../../../rules/validate.ts';

/** Filter-expression payloads that jsonpath-plus (json-rules-engine's resolver) would evaluate. */
const PAYLOADS = [
  "$..[?(@.constructor.constructor('globalThis.pwned=1')())]",
  "$[?(@.constructor.constructor('return process')().mainModule.require('child_process').execSync('id'))]",
  // CVE-2024-21534 proof of concept shape.
  "$..[?(p=\"globalThis.pwned=1\";a=''[['constructor']][['constructor']](p);a())]",
  "$[(globalThis.pwned=1)]",
  '$..*',
  '$.a[?(@.b==1)]',
];

const ctx = { templateExists: () => true };
const reward = { type: 'reward', params: { kind: 'cash', amount: 1 } };

describe('the jsonpath-plus filter-expression hazard', () => {
  afterAll(() => {
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });

  it.each(PAYLOADS)('parsePath refuses %s', (payload) => {
    expect(parsePath(payload)).toBeNull();
  });

  it.each(PAYLOADS)('the validator refuses %s on a condition path and on a fact reference', (payload) => {
    const doc = {
      rules: [
        {
          name: 'evil',
          conditions: {
            all: [
              { fact: 'event', path: payload, operator: 'equal', value: 1 },
              { fact: 'stats', operator: 'equal', value: { fact: 'event', path: payload } },
            ],
          },
          event: reward,
        },
      ],
    };
    const result = validateRuleset(doc, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const pointers = result.issues.map((i) => i.pointer);
    expect(pointers).toContain('/rules/0/conditions/all/0/path');
    expect(pointers).toContain('/rules/0/conditions/all/1/value/path');
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });

  it('a hand-built ruleset carrying a payload does not compile, so it can never reach a resolver', () => {
    const ruleset = {
      rules: [{ name: 'evil', priority: 1, conditions: { all: [{ fact: 'event', path: PAYLOADS[0], operator: 'equal', value: 1 }] }, event: reward }],
    } as unknown as Ruleset;
    expect(() => compileRuleset(ruleset)).toThrow(/refused path/);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });

  it('event data shaped like a payload is only data', () => {
    const ok = validateRuleset(
      { rules: [{ name: 'r', conditions: { all: [{ fact: 'event', path: '$.data.q', operator: 'equal', value: PAYLOADS[0] }] }, event: reward }] },
      ctx,
    );
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    const fired = evaluate(compileRuleset(ok.ruleset), { event: { type: 'x', data: { q: PAYLOADS[0] }, occurredAt: '' } }).fired;
    expect(fired.map((f) => f.name)).toEqual(['r']);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });
});
