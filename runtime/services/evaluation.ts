import { AppError } from '../errors.ts';
import { BudgetExceeded } from '../../rules/budget.ts';
import { evaluate, EvaluationError } from '../../rules/evaluate.ts';
import type { FactValues } from '../../rules/facts.ts';
import type { LoadedRuleset } from './ruleset-service.ts';

/**
 * Runs rule code and turns a comparison the reference engine would reject
 * (its run() throws there too), or a run that spent its budget of work or of
 * explanation size (rules/budget.ts), into a 422 naming the condition, not a
 * 500 or a stalled server. The run is synchronous and writes nothing, so the
 * same request is refused the same way again.
 */
export function guardEvaluation<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof EvaluationError) {
      throw new AppError('evaluation_failed', error.message, [{ pointer: error.pointer, message: detailOf(error) }]);
    }
    throw error;
  }
}

function detailOf(error: EvaluationError): string {
  const cause = error.cause;
  if (!(cause instanceof BudgetExceeded)) return 'this comparison cannot be evaluated against the event (see message)';
  return cause.kind === 'work'
    ? `the evaluation ran out of its budget of ${cause.limit} units of work at this condition (comparisons and array elements visited)`
    : `the explanation grew past its limit of ${cause.limit} bytes at this condition`;
}

export function evaluateRuleset(loaded: LoadedRuleset, facts: FactValues) {
  return guardEvaluation(() => evaluate(loaded.compiled, facts).fired);
}
