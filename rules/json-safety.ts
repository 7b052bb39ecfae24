import { escapeToken } from './pointer.ts';

/**
 * Keys refused anywhere in constants and event data: the first three reach the
 * prototype when the reference engine clones values, the last two make
 * `<`/`indexOf` throw when they coerce an object to a primitive.
 */
export const HOSTILE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', 'toString', 'valueOf']);

export type Finding = { pointer: string; message: string };

/** Constants are cloned and frozen recursively (here and in the reference), so their nesting is bounded. */
export const MAX_VALUE_DEPTH = 32;

const isPlainRecord = (x: object): boolean => {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

/**
 * Walks a value iteratively (so depth cannot overflow the stack) in document
 * order and reports the first hostile key, or with `json` also the first
 * thing that is not JSON data.
 */
function scan(root: unknown, json: boolean): Finding | null {
  // Each entry holds the key it was reached by, so hostile keys are reported in document order.
  const stack: [unknown, string, string | null, number][] = [[root, '', null, 0]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [value, pointer, key, depth] = stack.pop() as [unknown, string, string | null, number];
    if (key !== null && HOSTILE_KEYS.has(key)) return { pointer, message: `the key "${key}" is not allowed` };
    if (json && depth > MAX_VALUE_DEPTH) return { pointer, message: `values may nest at most ${MAX_VALUE_DEPTH} levels` };
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (json && !Number.isFinite(value)) return { pointer, message: 'numbers must be finite' };
      continue;
    }
    if (typeof value !== 'object') {
      if (json) return { pointer, message: `${typeof value} is not a JSON value` };
      continue;
    }
    if (seen.has(value)) {
      if (json) return { pointer, message: 'the same object appears twice; values must be plain JSON data' };
      continue;
    }
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${pointer}/${i}`, null, depth + 1]);
      continue;
    }
    if (json && !isPlainRecord(value)) return { pointer, message: 'only plain JSON objects are allowed' };
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push([(value as Record<string, unknown>)[keys[i]], `${pointer}/${escapeToken(keys[i])}`, keys[i], depth + 1]);
    }
  }
  return null;
}

/** JSON pointer (relative to `value`) of the first hostile key, or null. */
export function hasHostileKeys(value: unknown): string | null {
  return scan(value, false)?.pointer ?? null;
}

/** First problem in a constant: not JSON data, or a hostile key. */
export function findUnsafeConstant(value: unknown): Finding | null {
  return scan(value, true);
}
