import { describe, expect, it } from 'vitest';
import { hasHostileKeys, MAX_DEPTH, MAX_RULES, validateRuleset, type ValidationIssue } from '../../../rules/validate.ts';

const ctx = { templateExists: (key: string) => key === 'welcome' };
const reward = { type: 'reward', params: { kind: 'cash', amount: 10 } };
const leaf = (extra: Record<string, unknown> = {}) => ({ fact: 'event', path: '$.type', operator: 'equal', value: 'signup', ...extra });
const rule = (conditions: unknown, extra: Record<string, unknown> = {}) => ({ name: 'r', conditions, event: reward, ...extra });
const doc = (...rules: unknown[]) => ({ rules });

function issuesOf(input: unknown): ValidationIssue[] {
  const result = validateRuleset(input, ctx);
  if (result.ok) throw new Error('expected the document to be refused');
  return result.issues;
}

/** Asserts an issue at exactly `pointer` whose message matches. */
function expectIssue(input: unknown, pointer: string, message: RegExp): void {
  const issues = issuesOf(input);
  const hit = issues.find((i) => i.pointer === pointer);
  expect(hit, `no issue at ${pointer}; got ${JSON.stringify(issues)}`).toBeDefined();
  expect(hit?.message).toMatch(message);
}

describe('validateRuleset accepts', () => {
  it('a valid document and fills defaults', () => {
    const result = validateRuleset(
      {
        rules: [
          rule({ all: [leaf(), { fact: 'stats', path: '$.cashRewardsThisYear', operator: 'lessThan', value: { fact: 'program', path: '$.settings.w9ThresholdCents' } }] }),
          { name: 'mail', priority: 3, conditions: { condition: 'isSignup' }, event: { type: 'email', params: { template: 'welcome', to: 'referrer', data: { a: [1] } } } },
        ],
        conditions: { isSignup: { any: [leaf()] } },
      },
      ctx,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.ruleset.rules[0].priority).toBe(1);
    expect(result.ruleset.rules[0].event).toEqual({ type: 'reward', params: { kind: 'cash', amount: 10, currency: 'USD', to: 'participant' } });
    expect(result.ruleset.rules[1].event).toMatchObject({ params: { to: 'referrer' } });
    expect(result.ruleset.conditions?.isSignup).toEqual({ any: [leaf()] });
  });

  it('every operator, decorator chains, and swap:in with a scalar constant', () => {
    const ops = ['equal', 'notEqual', 'contains', 'doesNotContain', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'];
    const all = [
      ...ops.map((operator) => ({ fact: 'stats', path: '$.x', operator, value: 1 })),
      { fact: 'stats', operator: 'in', value: [1] },
      { fact: 'stats', operator: 'notIn', value: [] },
      { fact: 'stats', operator: 'not:someFact:equal', value: 1 },
      { fact: 'stats', operator: 'everyFact:swap:in', value: 1 },
      { fact: 'stats', operator: 'someValue:in', value: [[1], ['a']] },
      { fact: 'stats', operator: 'everyValue:greaterThan', value: [1, 2] },
      { fact: 'stats', operator: 'swap:in', value: 'a' },
      { fact: 'stats', operator: 'someValue:equal', value: { fact: 'stats', path: '$.tags' } },
    ];
    expect(validateRuleset(doc(rule({ all })), ctx).ok).toBe(true);
  });

  it('nesting of exactly MAX_DEPTH levels', () => {
    let node: unknown = leaf();
    for (let i = 1; i < MAX_DEPTH; i++) node = { not: node };
    expect(validateRuleset(doc(rule(node)), ctx).ok).toBe(true);
  });
});

describe('validateRuleset refuses, pointing at the culprit', () => {
  it('a document that is not an object', () => {
    expect(issuesOf([])[0].pointer).toBe('');
  });

  it('unknown facts', () => {
    expectIssue(doc(rule({ all: [leaf({ fact: 'evnt' })] })), '/rules/0/conditions/all/0/fact', /unknown fact "evnt"/);
    expectIssue(doc(rule({ all: [leaf({ value: { fact: 'nope' } })] })), '/rules/0/conditions/all/0/value/fact', /unknown fact "nope"/);
  });

  it('unknown operators and decorators', () => {
    expectIssue(doc(rule({ all: [leaf(), leaf({ operator: 'eq' })] })), '/rules/0/conditions/all/1/operator', /unknown operator "eq"/);
    expectIssue(doc(rule({ all: [leaf({ operator: 'some:equal' })] })), '/rules/0/conditions/all/0/operator', /unknown decorator "some"/);
    expectIssue(doc(rule({ all: [leaf({ operator: 'equal:not' })] })), '/rules/0/conditions/all/0/operator', /unknown operator "not"/);
    expectIssue(doc(rule({ all: [leaf({ operator: 'not::equal' })] })), '/rules/0/conditions/all/0/operator', /unknown decorator ""/);
  });

  it('unknown actions', () => {
    expectIssue(doc(rule({ all: [] }, { event: { type: 'webhook', params: {} } })), '/rules/0/event/type', /unknown action type "webhook"/);
    expectIssue(doc(rule({ all: [] }, { event: 'reward' })), '/rules/0/event', /must be an object/);
  });

  it('bad action params', () => {
    const withParams = (params: Record<string, unknown>, type = 'reward') => doc(rule({ all: [] }, { event: { type, params } }));
    const base = { kind: 'cash', amount: 10 };
    expectIssue(withParams({ ...base, amount: 0 }), '/rules/0/event/params/amount', /greater than 0/);
    expectIssue(withParams({ ...base, amount: 1.005 }), '/rules/0/event/params/amount', /2 decimals/);
    expectIssue(withParams({ ...base, amount: '10' }), '/rules/0/event/params/amount', /number/);
    expectIssue(withParams({ ...base, kind: 'points' }), '/rules/0/event/params/kind', /unknown reward kind "points"/);
    expectIssue(withParams({ ...base, currency: 'usd' }), '/rules/0/event/params/currency', /3 upper-case letters/);
    expectIssue(withParams({ ...base, to: 'friend' }), '/rules/0/event/params/to', /"participant" or "referrer"/);
    expectIssue(withParams({ ...base, description: 'x'.repeat(501) }), '/rules/0/event/params/description', /500/);
    expectIssue(withParams({ kind: 'percent_discount', amount: 150 }), '/rules/0/event/params/amount', /at most 100/);
    expectIssue(withParams({ amount: 1 }), '/rules/0/event/params/kind', /missing field "kind"/);
    expectIssue(withParams({ template: 'Bad Key' }, 'email'), '/rules/0/event/params/template', /key like/);
    expectIssue(withParams({ template: 'welcome', data: [] }, 'email'), '/rules/0/event/params/data', /must be an object/);
    expectIssue(withParams({ template: 'welcome', data: JSON.parse('{"x":{"__proto__":1}}') }, 'email'), '/rules/0/event/params/data/x/__proto__', /not allowed/);
    expectIssue(withParams({ ...base, holdDays: -1 }), '/rules/0/event/params/holdDays', />= 0/);
    expectIssue(withParams({ ...base, holdDays: 1.5 }), '/rules/0/event/params/holdDays', /whole number/);
    expectIssue(withParams({ ...base, expiresInDays: 0 }), '/rules/0/event/params/expiresInDays', />= 1/);
    expectIssue(withParams({ ...base, expiresInDays: 1e9 }), '/rules/0/event/params/expiresInDays', /at most 3650/);
    // The refund action reads an event id by a plain path only: no filters, no way into the prototype.
    expectIssue(withParams({ eventIdPath: '$..id', reason: 'refund' }, 'cancel-rewards'), '/rules/0/event/params/eventIdPath', /path into the event data/);
    expectIssue(withParams({ eventIdPath: '$.__proto__.x', reason: 'refund' }, 'cancel-rewards'), '/rules/0/event/params/eventIdPath', /path into the event data/);
    expectIssue(withParams({ eventIdPath: '$.orderId', reason: '' }, 'cancel-rewards'), '/rules/0/event/params/reason', /must not be empty/);
    expectIssue(withParams({ eventIdPath: '$.orderId' }, 'cancel-rewards'), '/rules/0/event/params/reason', /missing|reason/);
  });

  it('unknown templates', () => {
    expectIssue(doc(rule({ all: [] }, { event: { type: 'email', params: { template: 'missing-one' } } })), '/rules/0/event/params/template', /unknown template "missing-one"/);
  });

  it('unknown fields (strict objects)', () => {
    expectIssue(doc(rule({ all: [leaf({ params: {} })] })), '/rules/0/conditions/all/0/params', /only history facts/);
    expectIssue(doc(rule({ all: [], name: 'x' })), '/rules/0/conditions/name', /unknown field "name"/);
    expectIssue(doc(rule({ all: [] }, { onSuccess: 1 })), '/rules/0/onSuccess', /unknown field "onSuccess"/);
    expectIssue(doc(rule({ all: [] }, { event: { ...reward, params: { ...reward.params, extra: 1 } } })), '/rules/0/event/params/extra', /unknown field/);
    expectIssue(doc(rule({ all: [leaf({ value: { fact: 'stats', params: {} } })] })), '/rules/0/conditions/all/0/value/params', /unknown field/);
    expectIssue({ rules: [], version: 2 }, '/version', /unknown field "version"/);
    expectIssue(doc(rule({ all: [{ fact: 'stats', operator: 'equal' }] })), '/rules/0/conditions/all/0/value', /missing field "value"/);
  });

  it('mixing all/any/not/condition in one node', () => {
    expectIssue(doc(rule({ all: [leaf(), { any: [leaf()], not: leaf() }] })), '/rules/0/conditions/all/1', /exactly one of .* "any" and "not"/);
    expectIssue(doc(rule({ all: [], condition: 'x' })), '/rules/0/conditions', /"all" and "condition"/);
  });

  it('a root that is not all/any/not/condition', () => {
    expectIssue(doc(rule(leaf())), '/rules/0/conditions', /root condition/);
    expectIssue({ rules: [], conditions: { c: leaf() } }, '/conditions/c', /root condition/);
  });

  it('nesting deeper than MAX_DEPTH, also through references, without recursing into huge depths', () => {
    let node: unknown = leaf();
    for (let i = 0; i < 50_000; i++) node = { all: [node] };
    expectIssue(doc(rule(node)), `/rules/0/conditions${'/all/0'.repeat(MAX_DEPTH)}`, /deeper than 10/);

    let shared: unknown = leaf();
    for (let i = 1; i < 8; i++) shared = { not: shared };
    expectIssue(
      { rules: [rule({ all: [{ all: [{ all: [{ condition: 'deep' }] }] }] })], conditions: { deep: shared } },
      '/rules/0/conditions/all/0/all/0/all/0/condition',
      /through "deep" the conditions nest deeper than 10/,
    );
  });

  it('references that expand past the size limit', () => {
    const tenOf = (node: unknown) => ({ all: Array.from({ length: 10 }, () => node) });
    const conditions = { c0: tenOf(leaf()), c1: tenOf({ condition: 'c0' }), c2: tenOf({ condition: 'c1' }), c3: tenOf({ condition: 'c2' }) };
    expectIssue({ rules: [rule({ condition: 'c3' })], conditions }, '/rules/0/conditions', /once references are expanded; the limit is 5000/);
  });

  it(`more than ${MAX_RULES} rules`, () => {
    const rules = Array.from({ length: MAX_RULES + 1 }, (_, i) => rule({ all: [] }, { name: `r${i}` }));
    expectIssue({ rules }, '/rules', /at most 500 rules/);
  });

  it('duplicate rule names', () => {
    expectIssue(doc(rule({ all: [] }), rule({ all: [] })), '/rules/1/name', /duplicate rule name "r" \(also \/rules\/0\)/);
  });

  it('undefined and cyclic condition references', () => {
    expectIssue(doc(rule({ all: [leaf(), { condition: 'nope' }] })), '/rules/0/conditions/all/1/condition', /unknown condition "nope"/);
    expectIssue(
      { rules: [rule({ condition: 'a' })], conditions: { a: { all: [{ condition: 'b' }] }, b: { not: { condition: 'a' } } } },
      '/conditions/b/not/condition',
      /circular reference: "a" -> "b" -> "a"/,
    );
    expectIssue({ rules: [], conditions: { self: { condition: 'self' } } }, '/conditions/self/condition', /circular/);
  });

  it('in/notIn and someValue/everyValue with a constant that is not an array', () => {
    expectIssue(doc(rule({ all: [leaf({ operator: 'in', value: 'US' })] })), '/rules/0/conditions/all/0/value', /"in" needs an array/);
    expectIssue(doc(rule({ all: [leaf({ operator: 'not:notIn', value: 3 })] })), '/rules/0/conditions/all/0/value', /"notIn" needs an array/);
    expectIssue(doc(rule({ all: [leaf({ operator: 'someValue:equal', value: 'a' })] })), '/rules/0/conditions/all/0/value', /"someValue" needs an array/);
    expectIssue(doc(rule({ all: [leaf({ operator: 'everyValue:equal', value: {} })] })), '/rules/0/conditions/all/0/value', /"everyValue" needs an array/);
    expectIssue(doc(rule({ all: [leaf({ operator: 'someValue:in', value: [1, 2] })] })), '/rules/0/conditions/all/0/value', /"in" needs an array/);
  });

  it('paths that are not plain property paths, or name unknown fields', () => {
    expectIssue(doc(rule({ all: [leaf({ path: '$..type' })] })), '/rules/0/conditions/all/0/path', /"\$" followed by/);
    expectIssue(doc(rule({ all: [leaf({ path: "$['type']" })] })), '/rules/0/conditions/all/0/path', /not supported/);
    expectIssue(doc(rule({ all: [leaf({ path: '$.__proto__.x' })] })), '/rules/0/conditions/all/0/path', /"__proto__" is not allowed/);
    expectIssue(doc(rule({ all: [leaf({ path: '$.a.prototype' })] })), '/rules/0/conditions/all/0/path', /"prototype" is not allowed/);
    expectIssue(doc(rule({ all: [leaf({ value: { fact: 'event', path: '$.*' } })] })), '/rules/0/conditions/all/0/value/path', /not supported/);
    expectIssue(doc(rule({ all: [leaf({ fact: 'participant', path: '$.emial' })] })), '/rules/0/conditions/all/0/path', /no field "emial"/);
    expectIssue(doc(rule({ all: [leaf({ fact: 'participant', path: '$.w9OnFile.x' })] })), '/rules/0/conditions/all/0/path', /has no fields/);
    expectIssue(doc(rule({ all: [leaf({ fact: 'participant', path: '$.email.length.x' })] })), '/rules/0/conditions/all/0/path', /only .length/);
    expectIssue(doc(rule({ all: [leaf({ fact: 'now', path: '$.length' })] })), '/rules/0/conditions/all/0/path', /ignores a path/);
  });

  it('hostile keys and non-JSON data anywhere in constants', () => {
    const value = JSON.parse('[1, {"a": {"__proto__": {"x": 1}}}]');
    expectIssue(doc(rule({ all: [leaf({ operator: 'in', value })] })), '/rules/0/conditions/all/0/value/1/a/__proto__', /"__proto__" is not allowed/);
    for (const key of ['constructor', 'prototype', 'toString', 'valueOf']) {
      expectIssue(doc(rule({ all: [leaf({ value: { [key]: 1 } })] })), `/rules/0/conditions/all/0/value/${key}`, /not allowed/);
    }
    expectIssue(doc(rule({ all: [leaf({ value: [1, Number.NaN] })] })), '/rules/0/conditions/all/0/value/1', /finite/);
    expectIssue(doc(rule({ all: [leaf({ value: new Date(0) })] })), '/rules/0/conditions/all/0/value', /plain JSON/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expectIssue(doc(rule({ all: [leaf({ value: deep })] })), `/rules/0/conditions/all/0/value${'/0'.repeat(33)}`, /at most 32 levels/);
  });

  it('an empty "any" (the reference evaluates it as true)', () => {
    expectIssue(doc(rule({ all: [{ any: [] }] })), '/rules/0/conditions/all/0/any', /"any" needs at least one/);
  });

  it('bad names and priorities', () => {
    expectIssue(doc(rule({ all: [] }, { name: '' })), '/rules/0/name', /must not be empty/);
    expectIssue(doc(rule({ all: [] }, { name: 'x'.repeat(121) })), '/rules/0/name', /120/);
    expectIssue(doc(rule({ all: [] }, { priority: 0 })), '/rules/0/priority', />= 1/);
    expectIssue(doc(rule({ all: [leaf({ priority: 1.5 })] })), '/rules/0/conditions/all/0/priority', /integer/);
    expectIssue({ rules: [], conditions: JSON.parse('{"__proto__": {"all": []}}') }, '/conditions/__proto__', /not allowed/);
  });

  it('escapes pointer tokens (RFC 6901)', () => {
    expectIssue({ rules: [], conditions: { 'a/b~c': { all: [leaf({ fact: 'x' })] } } }, '/conditions/a~1b~0c/all/0/fact', /unknown fact/);
    expectIssue(doc(rule({ all: [leaf({ value: { 'k/1': { toString: 1 } } })] })), '/rules/0/conditions/all/0/value/k~11/toString', /not allowed/);
  });

  it('reports problems of several rules at once', () => {
    const issues = issuesOf(doc(rule({ all: [leaf({ fact: 'x' })] }), rule({ all: [leaf({ operator: 'eq' })] }, { name: 'r2' })));
    expect(issues.map((i) => i.pointer)).toEqual(['/rules/0/conditions/all/0/fact', '/rules/1/conditions/all/0/operator']);
  });
});

describe('hasHostileKeys', () => {
  it('returns the pointer of the first hostile key in document order, or null', () => {
    expect(hasHostileKeys({ a: [1, { b: 2 }], c: 'toString' })).toBeNull();
    expect(hasHostileKeys(null)).toBeNull();
    expect(hasHostileKeys('constructor')).toBeNull();
    expect(hasHostileKeys(JSON.parse('{"a": [0, {"__proto__": 1}], "constructor": 1}'))).toBe('/a/1/__proto__');
    expect(hasHostileKeys({ x: { valueOf: 1 } })).toBe('/x/valueOf');
    expect(hasHostileKeys({ 'a/b': { toString: 1 } })).toBe('/a~1b/toString');
  });

  it('survives very deep values', () => {
    let value: unknown = { prototype: 1 };
    for (let i = 0; i < 100_000; i++) value = [value];
    expect(hasHostileKeys(value)).toBe(`${'/0'.repeat(100_000)}/prototype`);
  });
});
