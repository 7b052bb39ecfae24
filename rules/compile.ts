import { compileCondition, type RuleCompiler } from './compile-conditions.ts';
import type { CompiledRule, CompiledRuleset } from './compiled-types.ts';
import { factsUsed } from './facts.ts';
import type { Ruleset } from './schema.ts';

export type { CompiledRule, CompiledRuleset, FiredRule } from './compiled-types.ts';

/**
 * Builds the closures once per ruleset. Expects a ruleset that passed
 * validateRuleset(); unknown operators, refused paths or missing references
 * throw here rather than at evaluation.
 */
export function compileRuleset(input: Ruleset): CompiledRuleset {
  // A private frozen copy: constants are shared by every run and shown by explain(), so nobody may change them.
  const ruleset = deepFreeze(structuredClone(input));
  const named = ruleset.conditions ?? {};
  // Every name read, not only known facts, so an absent one always switches evaluate() to the reference's exhaustive order.
  const facts = [...factsUsed(ruleset)];
  const slots = new Map<string, number>(facts.map((fact, i) => [fact, i]));
  const rules = ruleset.rules.map((rule, index): CompiledRule & { index: number } => {
    const rc: RuleCompiler = { rule: rule.name, named, slots, nextId: 0 };
    const pointer = `/rules/${index}`;
    const root = compileCondition(rule.conditions, `${pointer}/conditions`, rc);
    const priority = rule.priority || 1;
    const action = rule.event;
    return {
      index,
      name: rule.name,
      priority,
      action,
      pointer,
      run: root.fn,
      shape: root.shape,
      size: rc.nextId,
      fired: Object.freeze({ name: rule.name, priority, action }),
    };
  });
  rules.sort((a, b) => b.priority - a.priority || a.index - b.index);
  return Object.freeze({ rules: Object.freeze(rules), facts: Object.freeze(facts) });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export const COMPILED_CACHE_SIZE = 256;
const cache = new Map<string, CompiledRuleset>();

/** Compiled ruleset for a content hash, from a small LRU cache (a Map keeps insertion order). */
export function getCompiled(key: string, ruleset: Ruleset): CompiledRuleset {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const compiled = compileRuleset(ruleset);
  cache.set(key, compiled);
  if (cache.size > COMPILED_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/** For tests and for callers that must drop compiled rules (e.g. after a code upgrade). */
export function clearCompiledCache(): void {
  cache.clear();
}
