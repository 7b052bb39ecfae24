import { compileRuleset } from '../../../rules/compile.ts';
import { validateRuleset } from '../../../rules/validate.ts';

// Rules tests compile documents the way the service does: validated first.

export const anyTemplate = { templateExists: () => true };
export const reward = { type: 'reward', params: { kind: 'cash', amount: 5 } };

export function compile(doc: unknown) {
  const result = validateRuleset(doc, anyTemplate);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return compileRuleset(result.ruleset);
}
