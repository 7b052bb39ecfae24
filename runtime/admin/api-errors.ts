import type { ApiError } from './admin-env.ts';

export type PointerProblem = { pointer: string; message: string };

/** The API's field-level problems, when its details are the usual list of JSON pointers. */
export function pointerProblems(error: ApiError | null): PointerProblem[] {
  if (!error || !Array.isArray(error.details)) return [];
  return error.details.filter((d): d is PointerProblem => typeof d?.pointer === 'string' && typeof d?.message === 'string');
}

/** Problems keyed by their top-level field (`/port` → `port`), for messages under form fields. */
export function fieldErrors(error: ApiError | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pointerProblems(error)) {
    const field = p.pointer.split('/')[1] ?? '';
    out[field] ??= p.message;
  }
  return out;
}

/** A machine-readable reason some answers carry (SMTP Connect), shown beside the message. */
export function reasonOf(error: ApiError | null): string | null {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason : null;
}
