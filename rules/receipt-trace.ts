import { PASS, type NodeShape, type Trace } from './compiled-types.ts';
import type { CompiledRuleset } from './compiled-types.ts';
import { createContext, runRule } from './evaluate.ts';
import { ValueViews } from './explain-values.ts';
import type { FactValues } from './facts.ts';

/** One condition that held: where it is in the rules, what it compared, and with what (large values summarised). */
export type PassedCondition = { pointer: string; fact: string; params?: Readonly<Record<string, unknown>>; path?: string; operator: string; value: unknown; factValue: unknown };

/** A receipt keeps at most this many conditions per rule; a rule with more says so with `truncated`. */
export const MAX_RECEIPT_CONDITIONS = 50;

/**
 * The conditions that passed for each named rule, for a reward's receipt.
 * Re-runs only those rules' closures with a trace (the same decisions
 * evaluate() made, on the same facts) and keeps the leaves that passed, in
 * document order, within MAX_RECEIPT_CONDITIONS each and the preview size of
 * explain() per value: a receipt stays small whatever the event carried.
 */
export function tracePassedConditions(compiled: CompiledRuleset, facts: FactValues, names: ReadonlySet<string>): Map<string, { conditions: PassedCondition[]; truncated: boolean }> {
  const out = new Map<string, { conditions: PassedCondition[]; truncated: boolean }>();
  if (names.size === 0) return out;
  const c = createContext(compiled, facts);
  const views = new ValueViews();
  for (const rule of compiled.rules) {
    if (!names.has(rule.name) || out.has(rule.name)) continue;
    const trace: Trace = { results: new Uint8Array(rule.size), factValues: new Array(rule.size), values: new Array(rule.size) };
    c.trace = trace;
    runRule(rule, c);
    c.trace = null;
    const entry = { conditions: [] as PassedCondition[], truncated: false };
    collect(rule.shape, trace, views, entry);
    out.set(rule.name, entry);
  }
  return out;
}

function collect(shape: NodeShape, trace: Trace, views: ValueViews, entry: { conditions: PassedCondition[]; truncated: boolean }): void {
  if (shape.kind !== 'leaf') {
    // Only what made the rule fire: a branch that held (a reference is its target), and not the inside of a
    // `not`, which held because what is inside did not.
    if (shape.kind === 'not' || (shape.kind !== 'condition' && trace.results[shape.id] !== PASS)) return;
    for (const child of shape.children) collect(child, trace, views, entry);
    return;
  }
  if (trace.results[shape.id] !== PASS) return;
  if (entry.conditions.length >= MAX_RECEIPT_CONDITIONS) {
    entry.truncated = true;
    return;
  }
  const leaf: PassedCondition = {
    pointer: shape.pointer,
    fact: shape.fact,
    operator: shape.operator,
    value: views.show(trace.values[shape.id]).value,
    factValue: views.show(trace.factValues[shape.id]).value,
  };
  if (shape.path !== undefined) leaf.path = shape.path;
  if (shape.params !== undefined) leaf.params = shape.params;
  entry.conditions.push(leaf);
}
