import { BudgetExceeded } from './budget.ts';
import { FAIL, NOT_EVALUATED, PASS, type CompiledRule, type NodeShape, type Trace } from './compiled-types.ts';
import type { CompiledRuleset } from './compiled-types.ts';
import { EvaluationError } from './evaluation-error.ts';
import { createContext, runRule, type EvaluationOptions } from './evaluate.ts';
import { jsonBytes, stringBytes, ValueViews } from './explain-values.ts';
import type { FactValues } from './facts.ts';
import type { Action, FactRef } from './schema.ts';

export { PREVIEW_BYTES, type Truncated } from './explain-values.ts';

/**
 * The largest explanation, in bytes of UTF-8 JSON (the rules' entries as a
 * dry run answers them, with its list of fired rules). Values are shown
 * within PREVIEW_BYTES each, so this bounds what thousands of conditions add
 * up to: four times the largest request, far above a real program's few
 * hundred kilobytes.
 */
export const EXPLANATION_BYTES = 4 * 1024 * 1024;

/** `maxBytes`: the explanation's size limit, EXPLANATION_BYTES by default; `budget` as for evaluate(). */
export type ExplainOptions = EvaluationOptions & { maxBytes?: number };

export type ExplainResult = 'pass' | 'fail' | 'not-evaluated';

export type ExplainLeaf = {
  pointer: string;
  fact: string;
  /** A history fact's params. */
  params?: Readonly<Record<string, unknown>>;
  path?: string;
  operator: string;
  /** The constant, or the value read through `valueRef` when the leaf ran; a summary when large (explain-values.ts). */
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
 * what evaluate() decided, short-circuits included, and it stops where
 * evaluate() stops. Large values are shown as summaries (explain-values.ts);
 * an explanation that would grow past its size limit stops too, with an
 * EvaluationError naming the condition where it did.
 */
export function explain(compiled: CompiledRuleset, facts: FactValues, options: ExplainOptions = {}): RuleExplanation[] {
  const c = createContext(compiled, facts, options);
  const out: Output = { bytes: 64, limit: options.maxBytes ?? EXPLANATION_BYTES, views: new ValueViews(), rule: compiled.rules[0] };
  return compiled.rules.map((rule) => {
    const trace: Trace = { results: new Uint8Array(rule.size), factValues: new Array(rule.size), values: new Array(rule.size) };
    c.trace = trace;
    const fired = runRule(rule, c);
    c.trace = null;
    out.rule = rule;
    // The entry's own fields, and its line in a dry run's list of fired rules.
    grow(out, RULE_BYTES + 2 * stringBytes(rule.name) + jsonBytes(rule.action), rule.pointer);
    return { name: rule.name, priority: rule.priority, fired, action: rule.action, conditions: describe(rule.shape, trace, out) };
  });
}

/** Bytes of an entry's fixed text, rounded up: keys, punctuation, the longest result and kind; the start covers a dry run's own fields. */
const RULE_BYTES = 120;
const LEAF_BYTES = 110;
const BRANCH_BYTES = 90;

type Output = { bytes: number; readonly limit: number; readonly views: ValueViews; rule: CompiledRule };

function grow(out: Output, bytes: number, pointer: string): void {
  out.bytes += bytes;
  if (out.bytes > out.limit) throw new EvaluationError(out.rule.name, pointer, new BudgetExceeded('explanation', out.limit));
}

function describe(shape: NodeShape, trace: Trace, out: Output): ExplainNode {
  if (shape.kind === 'leaf') {
    const ran = trace.results[shape.id] !== NOT_EVALUATED;
    const value = out.views.show(ran ? trace.values[shape.id] : shape.value);
    const factValue = out.views.show(ran ? trace.factValues[shape.id] : undefined);
    let bytes = LEAF_BYTES + stringBytes(shape.pointer) + stringBytes(shape.fact) + stringBytes(shape.operator) + value.bytes + factValue.bytes;
    if (shape.path !== undefined) bytes += stringBytes(shape.path);
    if (shape.params !== undefined) bytes += jsonBytes(shape.params);
    if (shape.valueRef !== null) bytes += jsonBytes(shape.valueRef);
    grow(out, bytes, shape.pointer);
    const node: ExplainLeaf = {
      pointer: shape.pointer,
      fact: shape.fact,
      operator: shape.operator,
      value: value.value,
      factValue: factValue.value,
      result: RESULT[trace.results[shape.id]],
    };
    if (shape.path !== undefined) node.path = shape.path;
    if (shape.params !== undefined) node.params = shape.params;
    if (shape.valueRef !== null) node.valueRef = shape.valueRef;
    return node;
  }
  grow(out, BRANCH_BYTES + stringBytes(shape.pointer) + (shape.name === undefined ? 0 : stringBytes(shape.name)), shape.pointer);
  const children = shape.children.map((child) => describe(child, trace, out));
  // A reference is inlined, so its outcome is its target's.
  const result = shape.kind === 'condition' ? children[0].result : RESULT[trace.results[shape.id]];
  const node: ExplainBranch = { pointer: shape.pointer, kind: shape.kind, result, children };
  if (shape.name !== undefined) node.name = shape.name;
  return node;
}
