import { AppError } from '../errors.ts';
import { evaluate, EvaluationError } from '../../rules/evaluate.ts';
import type { Facts } from '../../rules/facts.ts';
import type { LoadedRuleset } from './ruleset-service.ts';

/** Runs the compiled rules; a comparison the reference engine would reject becomes a 422, not a 500. */
export function evaluateRuleset(loaded: LoadedRuleset, facts: Facts) {
  try {
    return evaluate(loaded.compiled, facts).fired;
  } catch (error) {
    if (error instanceof EvaluationError) {
      throw new AppError('evaluation_failed', error.message, [{ pointer: `/rules${(error as EvaluationError & { pointer?: string }).pointer ?? ''}`, message: error.message }]);
    }
    throw error;
  }
}
