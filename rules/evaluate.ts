import { EVALUATION_BUDGET } from './budget.ts';
import { MISSING, type CompiledRule, type CompiledRuleset, type FiredRule, type RunContext } from './compiled-types.ts';
import { EvaluationError } from './evaluation-error.ts';
import type { FactValues } from './facts.ts';

export { EvaluationError } from './evaluation-error.ts';
export type { FiredRule } from './compiled-types.ts';

/** `spent`: the units of work the run charged to its budget (budget.ts). */
export type EvaluationResult = { fired: FiredRule[]; spent: number };

/** `budget`: units of work the run may spend before it stops with an EvaluationError; EVALUATION_BUDGET by default. */
export type EvaluationOptions = { budget?: number };

const NO_FACTS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A fresh context per run (nothing is shared between runs, so concurrent runs
 * are safe). Each fact is looked up once; an absent one (the reference sees
 * the keys `for...in` yields, all own for plain objects) is marked MISSING.
 */
export function createContext(compiled: CompiledRuleset, facts: FactValues, options: EvaluationOptions = {}): RunContext {
  const table = (facts ?? NO_FACTS) as Readonly<Record<string, unknown>>;
  const names = compiled.facts;
  const values: unknown[] = new Array(names.length);
  let full = false;
  for (let i = 0; i < names.length; i++) {
    if (Object.hasOwn(table, names[i])) values[i] = table[names[i]];
    else {
      values[i] = MISSING;
      full = true;
    }
  }
  return { values, full, trace: null, spent: 0, limit: options.budget ?? EVALUATION_BUDGET, weights: null };
}

/** Any failure surfaces as an EvaluationError naming the rule. */
function asEvaluationError(rule: CompiledRule, error: unknown): EvaluationError {
  return error instanceof EvaluationError ? error : new EvaluationError(rule.name, `${rule.pointer}/conditions`, error);
}

export function runRule(rule: CompiledRule, c: RunContext): boolean {
  try {
    return rule.run(c);
  } catch (error) {
    throw asEvaluationError(rule, error);
  }
}

/**
 * Synchronous and pure. Like the reference's run(), it throws when any rule
 * throws; fired rules come by priority descending, then document order.
 *
 * Exact for facts that are JSON data free of hostile keys (see
 * hasHostileKeys): with those, only the conditions classified at compile
 * time can throw, which is what allows short-circuiting inside a group.
 * Unlike the reference it also stops, with an EvaluationError whose cause is
 * a BudgetExceeded, at the condition where the run's work passes its budget.
 */
export function evaluate(compiled: CompiledRuleset, facts: FactValues, options?: EvaluationOptions): EvaluationResult {
  const c = createContext(compiled, facts, options);
  const fired: FiredRule[] = [];
  const rules = compiled.rules;
  let i = 0;
  try {
    for (; i < rules.length; i++) if (rules[i].run(c)) fired.push(rules[i].fired);
  } catch (error) {
    throw asEvaluationError(rules[i], error);
  }
  return { fired, spent: c.spent };
}
