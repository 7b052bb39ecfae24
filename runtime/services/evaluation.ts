import { AppError } from '../errors.ts';
import { evaluate, EvaluationError } from '../../rules/evaluate.ts';
import type { FactValues } from '../../rules/facts.ts';
import type { LoadedRuleset } from './ruleset-service.ts';

/**
 * Runs rule code and turns a comparison the reference engine would reject
 * (its run() throws there too) into a 422 naming the condition, not a 500.
 */
export function guardEvaluation<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof EvaluationError) {
      throw new AppError('evaluation_failed', error.message, [{ pointer: error.pointer, message: 'this comparison cannot be evaluated against the event (see message)' }]);
    }
    throw error;
  }
}

export function evaluateRuleset(loaded: LoadedRuleset, facts: FactValues) {
  return guardEvaluation(() => evaluate(loaded.compiled, facts).fired);
}
