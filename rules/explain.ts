import { FAIL, NOT_EVALUATED, PASS, type NodeShape, type Trace } from './compiled-types.ts';
import type { CompiledRuleset } from './compiled-types.ts';
import { createContext, runRule } from './evaluate.ts';
import type { FactValues } from './facts.ts';
import type { Action, FactRef } from './schema.ts';

export type ExplainResult = 'pass' | 'fail' | 'not-evaluated';

export type ExplainLeaf = {
  pointer: string;
  fact: string;
  path?: string;
  operator: string;
  /** The constant, or the value read through `valueRef` when the leaf ran. */
  value: unknown;
  valueRef?: FactRef;
  factValue: unknown;
  result: ExplainResult;
};

export type ExplainBranch = {
  pointer: string;
  kind: 'all' | 'any' | 'not' | 'condition';
  name?: string;
  result: ExplainResult;
  children: ExplainNode[];
};

export type ExplainNode = ExplainLeaf | ExplainBranch;

export type RuleExplanation = { name: string; priority: number; fired: boolean; action: Action; conditions: ExplainNode };

const RESULT: Record<number, ExplainResult> = { [NOT_EVALUATED]: 'not-evaluated', [PASS]: 'pass', [FAIL]: 'fail' };

/**
 * Runs the same closures as evaluate() with a trace attached, so the report is
 * what evaluate() decided, short-circuits included. Throws as evaluate() does.
 */
export function explain(compiled: CompiledRuleset, facts: FactValues): RuleExplanation[] {
  const c = createContext(compiled, facts);
  return compiled.rules.map((rule) => {
    const trace: Trace = { results: new Uint8Array(rule.size), factValues: new Array(rule.size), values: new Array(rule.size) };
    c.trace = trace;
    const fired = runRule(rule, c);
    c.trace = null;
    return { name: rule.name, priority: rule.priority, fired, action: rule.action, conditions: describe(rule.shape, trace) };
  });
}

function describe(shape: NodeShape, trace: Trace): ExplainNode {
  if (shape.kind === 'leaf') {
    const ran = trace.results[shape.id] !== NOT_EVALUATED;
    const node: ExplainLeaf = {
      pointer: shape.pointer,
      fact: shape.fact,
      operator: shape.operator,
      value: ran ? trace.values[shape.id] : shape.value,
      factValue: ran ? trace.factValues[shape.id] : undefined,
      result: RESULT[trace.results[shape.id]],
    };
    if (shape.path !== undefined) node.path = shape.path;
    if (shape.valueRef !== null) node.valueRef = shape.valueRef;
    return node;
  }
  const children = shape.children.map((child) => describe(child, trace));
  // A reference is inlined, so its outcome is its target's.
  const result = shape.kind === 'condition' ? children[0].result : RESULT[trace.results[shape.id]];
  const node: ExplainBranch = { pointer: shape.pointer, kind: shape.kind, result, children };
  if (shape.name !== undefined) node.name = shape.name;
  return node;
}
