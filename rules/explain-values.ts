/**
 * How an explanation shows a value. Explanations show, for every condition,
 * the fact value it read and the value it compared with; copied whole, a
 * 150 KB fact read by a few thousand conditions made a dry run answer
 * hundreds of megabytes. A value whose JSON is larger than PREVIEW_BYTES is
 * shown as a summary instead:
 *
 *   { "truncated": true, "type": "string", "length": 150000, "preview": "first characters…" }
 *   { "truncated": true, "type": "array", "length": 20000, "preview": [first elements, each shown the same way] }
 *   { "truncated": true, "type": "object", "keys": 5000, "preview": { first keys: values shown the same way } }
 *
 * so every shown value is at most PREVIEW_BYTES of UTF-8 JSON.
 */

export const PREVIEW_BYTES = 1024;
/** Elements or keys a summary previews at most. */
export const PREVIEW_ITEMS = 10;
/** Characters a string summary previews at most. */
export const PREVIEW_CHARS = 256;

export type Truncated =
  | { truncated: true; type: 'string'; length: number; preview: string }
  | { truncated: true; type: 'array'; length: number; preview: unknown[] }
  | { truncated: true; type: 'object'; keys: number; preview: Record<string, unknown> };

/** The value as shown, and its size in bytes of UTF-8 JSON. */
export type Shown = { value: unknown; bytes: number };

/** Room a summary's own fields take ({"truncated":true,"type":"object","keys":N,"preview":…}). */
const SUMMARY_OVERHEAD = 64;

export function summarize(value: unknown): unknown {
  return new ValueViews().show(value).value;
}

/**
 * Shows values for one explanation, remembering each object it has shown:
 * conditions reading the same fact value share one summary, so the cost of
 * summarizing is paid once per value, not once per condition.
 */
export class ValueViews {
  private readonly seen = new WeakMap<object, Shown>();

  show(value: unknown): Shown {
    if (value === null || typeof value !== 'object') return showScalar(value, PREVIEW_BYTES);
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    const shown = showWithin(value, PREVIEW_BYTES);
    this.seen.set(value, shown);
    return shown;
  }
}

function showWithin(value: unknown, room: number): Shown {
  if (value === null || typeof value !== 'object') return showScalar(value, room);
  const bytes = sizeUpTo(value, room);
  if (bytes >= 0) return { value, bytes };
  const summary = Array.isArray(value) ? summarizeArray(value, room - SUMMARY_OVERHEAD) : summarizeObject(value as Record<string, unknown>, room - SUMMARY_OVERHEAD);
  return { value: summary, bytes: jsonBytes(summary) };
}

function showScalar(value: unknown, room: number): Shown {
  if (typeof value !== 'string') return { value, bytes: scalarBytes(value) };
  if (value.length + 2 <= room) {
    const bytes = stringBytes(value);
    if (bytes <= room) return { value, bytes };
  }
  const summary: Truncated = { truncated: true, type: 'string', length: value.length, preview: previewOf(value, room - SUMMARY_OVERHEAD) };
  return { value: summary, bytes: jsonBytes(summary) };
}

/** The longest prefix (at most PREVIEW_CHARS) whose JSON fits in `room`, never ending inside a surrogate pair. */
function previewOf(s: string, room: number): string {
  let end = Math.min(s.length, PREVIEW_CHARS, Math.max(0, room - 2));
  while (end > 0) {
    const code = s.charCodeAt(end - 1);
    const cut = code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
    const preview = s.slice(0, cut);
    if (stringBytes(preview) <= room) return preview;
    end = Math.floor(cut / 2);
  }
  return '';
}

function summarizeArray(array: readonly unknown[], room: number): Truncated {
  const preview: unknown[] = [];
  let left = room - 2;
  for (let i = 0; i < array.length && i < PREVIEW_ITEMS && left > SUMMARY_OVERHEAD; i++) {
    const item = showWithin(array[i], left - 1);
    if (item.bytes + 1 > left) break;
    preview.push(item.value);
    left -= item.bytes + 1;
  }
  return { truncated: true, type: 'array', length: array.length, preview };
}

function summarizeObject(object: Record<string, unknown>, room: number): Truncated {
  const keys = Object.keys(object);
  const preview: Record<string, unknown> = {};
  let left = room - 2;
  for (let i = 0; i < keys.length && i < PREVIEW_ITEMS && left > SUMMARY_OVERHEAD; i++) {
    const keyBytes = stringBytes(keys[i]) + 2;
    const item = showWithin(object[keys[i]], left - keyBytes);
    if (keyBytes + item.bytes > left) break;
    // defineProperty: a key named "__proto__" stays data, as it was in the fact.
    Object.defineProperty(preview, keys[i], { value: item.value, enumerable: true, writable: true, configurable: true });
    left -= keyBytes + item.bytes;
  }
  return { truncated: true, type: 'object', keys: keys.length, preview };
}

/**
 * Bytes of the value's JSON if at most `limit`, else -1; stops as soon as it
 * knows, so a huge value costs about `limit` steps, not its size.
 */
function sizeUpTo(value: unknown, limit: number): number {
  let total = 0;
  // Iterative, with the values still to count: fact values nest as deep as the request allowed.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (total > limit) return -1;
    const next = stack.pop();
    if (next === null || typeof next !== 'object') {
      if (typeof next === 'string') {
        if (next.length + 2 > limit - total) return -1;
        total += stringBytes(next);
      } else total += scalarBytes(next);
      continue;
    }
    if (Array.isArray(next)) {
      total += 2 + Math.max(0, next.length - 1);
      if (total > limit) return -1;
      for (let i = 0; i < next.length; i++) stack.push(next[i]);
      continue;
    }
    total += 2;
    let first = true;
    for (const key in next) {
      if (!Object.hasOwn(next, key)) continue;
      if (total > limit || key.length + 3 > limit - total) return -1;
      total += stringBytes(key) + (first ? 1 : 2);
      first = false;
      stack.push((next as Record<string, unknown>)[key]);
    }
  }
  return total > limit ? -1 : total;
}

function scalarBytes(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  return 4; // null, and undefined shown as null in arrays
}

/** Bytes of a string's JSON text in UTF-8, quotes and escapes included (a lone surrogate is escaped as \\uXXXX). */
export function stringBytes(s: string): number {
  let bytes = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x20) bytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      bytes += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
}

/** Bytes of a small value's JSON in UTF-8 (summaries, actions: bounded in size). */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  if (text === undefined) return 0;
  // The text is JSON already: no control characters and no lone surrogates are left in it.
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return bytes;
}
