import type { Context } from 'hono';
import { AppError } from './errors.ts';
import { pointerOf } from './validation.ts';

/**
 * How deeply a request body may nest arrays and objects (the body object is
 * level 1). The deepest body the API can accept is a ruleset with conditions
 * at rules' MAX_DEPTH (10, two JSON levels each) holding a constant at
 * MAX_VALUE_DEPTH (32): about 56 levels. Past this limit the body is refused
 * with 400 before JSON.parse sees it, so a 1 MiB `[[[[…` costs one bounded
 * character scan instead of V8's ~200 ms parse of a million levels.
 */
export const MAX_BODY_DEPTH = 64;

/**
 * Keys refused at any level of any body: JSON.parse makes them own properties,
 * but valibot's records and objects drop them silently, and anything that
 * copies a value with `obj[key] = …` would reach a prototype through them.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a JSON request body. Every body of this API is an object; anything
 * else or malformed JSON is a 400, and so is nesting past MAX_BODY_DEPTH.
 * A NUL character (which PostgreSQL text cannot hold), a number JSON.parse
 * turned into ±Infinity (`1e309`) and a reserved key are 422 with the
 * pointer of the first one, in document order; all found in one pass.
 */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  refuseDeepNesting(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('invalid_json', 'The request body must be a JSON object');
  }
  const problem = findUnsafeValue(body);
  if (problem) throw new AppError('validation_failed', 'The request body is invalid', [problem]);
  return body as Record<string, unknown>;
}

export async function readJson(c: Context): Promise<Record<string, unknown>> {
  return parseJsonBody(await c.req.text());
}

/**
 * The one reader of form posts (the console, the participant pages): their
 * size is bounded by the bodyLimit in front of each. Only text fields are
 * kept (no form of ours uploads a file); a NUL in a name or a value, which no
 * browser user can type, is a 400 before a handler sees it.
 */
export async function readForm(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string') continue;
    if (k.includes('\u0000') || v.includes('\u0000')) throw new AppError('bad_request', 'form fields must not contain NUL characters');
    out[k] = v;
  }
  return out;
}

const OPEN_BRACE = 0x7b, OPEN_BRACKET = 0x5b, CLOSE_BRACE = 0x7d, CLOSE_BRACKET = 0x5d, QUOTE = 0x22, BACKSLASH = 0x5c;

/**
 * One pass over the text counting `[`/`{` outside strings; it stops at the
 * first level past the limit. Malformed text is left for JSON.parse to name.
 */
function refuseDeepNesting(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
    } else if (ch === QUOTE) {
      inString = true;
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      if (++depth > MAX_BODY_DEPTH) {
        throw new AppError('bad_request', `The request body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels`);
      }
    } else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      depth--;
    }
  }
}

/**
 * Iterative, in document order: the first NUL, non-finite number or reserved
 * key, or null. One entry per open container (at most MAX_BODY_DEPTH, which
 * the text scan guaranteed), so scalars cost no allocation and a pointer is
 * built only for the value reported.
 */
function findUnsafeValue(root: object): { pointer: string; message: string } | null {
  const containers: object[] = [root];
  const keysOf: (string[] | null)[] = [Array.isArray(root) ? null : Object.keys(root)];
  const next: number[] = [0];
  const at = (last: string | number) => {
    const path: (string | number)[] = [];
    for (let level = 0; level < containers.length - 1; level++) {
      const keys = keysOf[level];
      path.push(keys ? keys[next[level] - 1] : next[level] - 1);
    }
    path.push(last);
    return pointerOf(path);
  };
  while (containers.length > 0) {
    const top = containers.length - 1;
    const container = containers[top];
    const keys = keysOf[top];
    const i = next[top];
    if (i >= (keys ? keys.length : (container as unknown[]).length)) {
      containers.pop();
      keysOf.pop();
      next.pop();
      continue;
    }
    next[top] = i + 1;
    const key = keys ? keys[i] : i;
    if (typeof key === 'string') {
      if (key.includes('\u0000')) return { pointer: at(key), message: 'must not contain NUL characters' };
      if (RESERVED_KEYS.has(key)) return { pointer: at(key), message: `the key "${key}" is reserved and cannot be used` };
    }
    const value = (container as Record<string | number, unknown>)[key];
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { pointer: at(key), message: 'must not contain NUL characters' };
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { pointer: at(key), message: 'must be a finite number (this one is too large for a double)' };
    } else if (value !== null && typeof value === 'object') {
      containers.push(value);
      keysOf.push(Array.isArray(value) ? null : Object.keys(value));
      next.push(0);
    }
  }
  return null;
}
