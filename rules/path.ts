/**
 * The only JSONPath subset a rule may use: `$` then `.identifier` or `[digits]`
 * segments. jsonpath-plus evaluates filter and script expressions, so anything
 * richer is refused instead of interpreted; for this subset the results below
 * equal what json-rules-engine's default resolver returns.
 */

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]/y;

/** Keys that reach the prototype chain; refused so no path can leave the data. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const MAX_PATH_LENGTH = 256;

/** Segments of a plain property path, or null when the path is refused. */
export function parsePath(path: string): string[] | null {
  if (typeof path !== 'string' || path.length > MAX_PATH_LENGTH || path[0] !== '$') return null;
  const segments: string[] = [];
  SEGMENT.lastIndex = 1;
  while (SEGMENT.lastIndex < path.length) {
    const start = SEGMENT.lastIndex;
    const match = SEGMENT.exec(path);
    if (match === null || match.index !== start) return null;
    const segment = match[1] ?? match[2];
    if (FORBIDDEN_SEGMENTS.has(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/**
 * jsonpath-plus follows a segment only while the current value is truthy and
 * owns the key (Object.hasOwn boxes primitives, so `$.name.length` works on a
 * string); anything else yields no match, which it reports as undefined.
 */
export function resolvePath(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i];
    if (!current || !Object.hasOwn(current as object, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The almanac applies a path only to object-like fact values and passes anything else through unchanged. */
export function applyPath(factValue: unknown, segments: readonly string[]): unknown {
  return factValue !== null && typeof factValue === 'object' ? resolvePath(factValue, segments) : factValue;
}
