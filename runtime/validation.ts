import * as v from 'valibot';
import { AppError, type ErrorDetail } from './errors.ts';

/** RFC 6901: `~` and `/` inside a key are escaped. */
export function pointerOf(path: readonly (string | number)[]): string {
  return path.map((k) => '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function issuesToDetails(issues: readonly v.BaseIssue<unknown>[], base = ''): ErrorDetail[] {
  return issues.map((issue) => ({
    pointer: base + pointerOf((issue.path ?? []).map((p) => p.key as string | number)),
    message: issue.message,
  }));
}

/** Parses untrusted input or throws a 422 naming every bad field. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown, what = 'request body'): v.InferOutput<S> {
  // One message per field: a value that is not a timestamp need not also hear it is not a calendar date.
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  throw new AppError('validation_failed', `The ${what} is invalid`, issuesToDetails(result.issues));
}
