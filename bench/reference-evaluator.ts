import { Engine } from 'json-rules-engine';
import type { LoadedRuleset } from '../runtime/services/ruleset-service.ts';
import type { FactValues } from '../rules/facts.ts';
import type { FiredRule } from '../rules/evaluate.ts';

// json-rules-engine behind the same interface as our evaluator, so the HTTP
// benchmark can run the whole event path "before" (the reference engine) and
// "after" (compiled rules). One Engine per ruleset and run: sharing one across
// concurrent runs drops rules (a known hazard of 7.3.1).
export function createReferenceEvaluator() {
  return async (loaded: LoadedRuleset, facts: FactValues): Promise<FiredRule[]> => {
    const engine = new Engine([], { allowUndefinedFacts: true });
    for (const [name, condition] of Object.entries(loaded.ruleset.conditions ?? {})) engine.setCondition(name, condition as never);
    loaded.ruleset.rules.forEach((rule, i) => engine.addRule({ ...(rule as object), name: String(i), priority: rule.priority ?? 1 } as never));
    const { results } = await engine.run({ ...facts });
    return results
      .map((r) => Number(r.name))
      .sort((a, b) => (loaded.ruleset.rules[b].priority ?? 1) - (loaded.ruleset.rules[a].priority ?? 1) || a - b)
      .map((i) => loaded.ruleset.rules[i])
      .map((rule) => ({ name: rule.name, priority: rule.priority ?? 1, action: rule.event }));
  };
}
