import type { Context } from 'hono';
import { AppError } from './errors.ts';
import { pointerOf } from './validation.ts';

/**
 * Parses a JSON request body. Every body of this API is an object; anything
 * else, malformed JSON, or a NUL character (which PostgreSQL text cannot
 * hold) is the client's error, answered before any work starts.
 */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('invalid_json', 'The request body must be a JSON object');
  }
  const nul = findNul(body, []);
  if (nul) throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: pointerOf(nul), message: 'must not contain NUL characters' }]);
  return body as Record<string, unknown>;
}

export async function readJson(c: Context): Promise<Record<string, unknown>> {
  return parseJsonBody(await c.req.text());
}

function findNul(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return [...path, k];
    const found = findNul(v, [...path, Array.isArray(value) ? Number(k) : k]);
    if (found) return found;
  }
  return null;
}
