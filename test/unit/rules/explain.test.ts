import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../rules/evaluate.ts';
import { explain, type ExplainNode, type RuleExplanation } from '../../../rules/explain.ts';
import { unlimitedMeter } from '../../../rules/budget.ts';
import { buildComparator, parseOperator, type ParsedOperator } from '../../../rules/operators.ts';
import { docArb, factsArb } from './arbitraries.ts';
import { compile, reward } from './compile-valid.ts';


function outcome<T>(run: () => T): { value: T } | { error: unknown } {
  try {
    return { value: run() };
  } catch (error) {
    return { error };
  }
}

/** Every node's verdict must follow from its children's, and recorded leaf values must reproduce the leaf's verdict. */
function checkConsistent(node: ExplainNode): void {
  if (!('kind' in node)) {
    if (node.result === 'not-evaluated') return;
    const op = parseOperator(node.operator) as ParsedOperator;
    expect(buildComparator(op)(node.factValue, node.value, unlimitedMeter()) === true).toBe(node.result === 'pass');
    return;
  }
  node.children.forEach(checkConsistent);
  const results = node.children.map((c) => c.result);
  if (node.result === 'not-evaluated') {
    expect(results.every((r) => r === 'not-evaluated')).toBe(true);
    return;
  }
  switch (node.kind) {
    case 'all':
      expect(node.result === 'pass').toBe(!results.includes('fail') && !results.includes('not-evaluated'));
      break;
    case 'any':
      expect(node.result === 'pass').toBe(results.includes('pass'));
      if (node.result === 'fail') expect(results.every((r) => r === 'fail')).toBe(true);
      break;
    case 'not':
      expect(results).toEqual([node.result === 'pass' ? 'fail' : 'pass']);
      break;
    case 'condition':
      expect(results).toEqual([node.result]);
      break;
  }
}

describe('explain', () => {
  it('agrees with evaluate on random rulesets and facts (seeded)', () => {
    let notEvaluated = 0;
    const count = (node: ExplainNode): void => {
      if (node.result === 'not-evaluated') notEvaluated++;
      if ('children' in node) node.children.forEach(count);
    };
    fc.assert(
      fc.property(docArb({ min: 5, max: 15 }), fc.array(factsArb, { minLength: 4, maxLength: 4 }), (doc, factSets) => {
        const compiled = compile(doc);
        for (const facts of factSets) {
          const evaluated = outcome(() => evaluate(compiled, facts));
          const explained = outcome(() => explain(compiled, facts));
          if ('error' in evaluated) {
            expect('error' in explained && explained.error).toEqual(evaluated.error);
            continue;
          }
          if (!('value' in explained)) throw explained.error;
          const rules = explained.value;
          expect(rules.filter((r) => r.fired).map((r) => r.name)).toEqual(evaluated.value.fired.map((f) => f.name));
          for (const rule of rules) {
            expect(rule.fired).toBe(rule.conditions.result === 'pass');
            checkConsistent(rule.conditions);
            count(rule.conditions);
          }
        }
      }),
      { seed: 99, numRuns: 300 },
    );
    expect(notEvaluated).toBeGreaterThan(100);
  });

  const signup = { fact: 'event', path: '$.type', operator: 'equal', value: 'signup' };
  const verified = { fact: 'participant', path: '$.emailVerified', operator: 'equal', value: true };
  const facts = { event: { type: 'purchase', data: {}, occurredAt: '' }, participant: { emailVerified: true }, stats: { tags: ['a'] } };
  const only = (rules: RuleExplanation[]) => rules[0].conditions as Extract<ExplainNode, { kind: string }>;

  it('marks members skipped by a short-circuit as not-evaluated', () => {
    const compiled = compile({ rules: [{ name: 'r', conditions: { all: [signup, verified, { any: [verified] }] }, event: reward }] });
    const root = only(explain(compiled, facts));
    expect(root.result).toBe('fail');
    expect(root.children.map((c) => c.result)).toEqual(['fail', 'not-evaluated', 'not-evaluated']);
    expect(root.children[0]).toMatchObject({ pointer: '/rules/0/conditions/all/0', fact: 'event', path: '$.type', value: 'signup', factValue: 'purchase' });
    expect((root.children[2] as { children: ExplainNode[] }).children[0].result).toBe('not-evaluated');
  });

  it('evaluates every member of a group that may throw, as the reference does, and skips lower priority groups', () => {
    const mayThrow = { fact: 'stats', operator: 'someValue:equal', value: { fact: 'stats', path: '$.tags' } };
    const compiled = compile({
      rules: [
        { name: 'same group', conditions: { all: [signup, mayThrow] }, event: reward },
        { name: 'lower group', conditions: { all: [{ ...signup, priority: 2 }, mayThrow] }, event: reward },
      ],
    });
    const [sameGroup, lowerGroup] = explain(compiled, facts);
    expect((sameGroup.conditions as { children: ExplainNode[] }).children.map((c) => c.result)).toEqual(['fail', 'fail']);
    expect((sameGroup.conditions as { children: ExplainNode[] }).children[1]).toMatchObject({ value: ['a'], valueRef: { fact: 'stats', path: '$.tags' } });
    expect((lowerGroup.conditions as { children: ExplainNode[] }).children.map((c) => c.result)).toEqual(['fail', 'not-evaluated']);
  });

  it('shows references as condition nodes around their inlined target', () => {
    const compiled = compile({
      rules: [{ name: 'r', priority: 2, conditions: { not: { condition: 'isSignup' } }, event: reward }],
      conditions: { isSignup: { all: [signup] } },
    });
    const [rule] = explain(compiled, facts);
    expect(rule).toMatchObject({ name: 'r', priority: 2, fired: true, action: { type: 'reward' } });
    expect(rule.conditions).toEqual({
      pointer: '/rules/0/conditions',
      kind: 'not',
      result: 'pass',
      children: [
        {
          pointer: '/rules/0/conditions/not',
          kind: 'condition',
          name: 'isSignup',
          result: 'fail',
          children: [
            {
              pointer: '/conditions/isSignup',
              kind: 'all',
              result: 'fail',
              children: [{ pointer: '/conditions/isSignup/all/0', fact: 'event', path: '$.type', operator: 'equal', value: 'signup', factValue: 'purchase', result: 'fail' }],
            },
          ],
        },
      ],
    });
  });
});
