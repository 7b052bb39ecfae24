/** A condition the reference engine would reject (its run() would throw); names the rule and the condition. */
export class EvaluationError extends Error {
  readonly rule: string;
  /** JSON pointer of the condition in the ruleset document. */
  readonly pointer: string;

  constructor(rule: string, pointer: string, cause: unknown) {
    super(`rule "${rule}", condition ${pointer}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EvaluationError';
    this.rule = rule;
    this.pointer = pointer;
  }
}
