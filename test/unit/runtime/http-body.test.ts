import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH, parseJsonBody } from '../../../runtime/http.ts';
import { AppError } from '../../../runtime/errors.ts';

// The one JSON body parser, as a pure function: what it refuses, with which
// code and pointer. The HTTP-level attacks are in test/security/parsing.test.ts.

function refusal(text: string): { code: string; status: number; details: unknown } {
  try {
    parseJsonBody(text);
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, status: error.status, details: error.details };
    throw error;
  }
  throw new Error(`accepted: ${text.slice(0, 80)}`);
}

/** An independent, recursive statement of what the parser refuses. */
const unsafe = (v: unknown): boolean =>
  typeof v === 'string' ? v.includes('\u0000')
  : Array.isArray(v) ? v.some(unsafe)
  : v !== null && typeof v === 'object' ? Object.entries(v).some(([k, x]) => k.includes('\u0000') || ['__proto__', 'constructor', 'prototype'].includes(k) || unsafe(x))
  : false;

const wrapped = (levels: number) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

describe('parseJsonBody', () => {
  it('accepts MAX_BODY_DEPTH levels and refuses one more with 400, closed or not', () => {
    expect(parseJsonBody(wrapped(MAX_BODY_DEPTH))).toBeTypeOf('object');
    expect(refusal(wrapped(MAX_BODY_DEPTH + 1))).toMatchObject({ code: 'bad_request', status: 400 });
    // Unclosed, a million levels, arrays inside an object: refused by depth, JSON.parse never runs.
    expect(refusal('{"a":' + '['.repeat(1024 * 1024))).toMatchObject({ code: 'bad_request', status: 400 });
  });

  it('counts brackets outside strings only, whatever the escapes before them', () => {
    const text = JSON.stringify({ s: '['.repeat(500) + '\\"{'.repeat(500), t: '\\', u: ['\\\\', '"'] });
    expect(parseJsonBody(text).s).toHaveLength(2000);
    // A string ending in an escaped backslash closes; the brackets after it count.
    expect(refusal(`{"s":"\\\\","a":${'['.repeat(MAX_BODY_DEPTH)}${']'.repeat(MAX_BODY_DEPTH)}}`)).toMatchObject({ code: 'bad_request' });
  });

  it('answers malformed text and non-objects with invalid_json, an empty body with {}', () => {
    expect(parseJsonBody('  ')).toEqual({});
    for (const text of ['{', '[]', '"x"', '1', 'null', '{"a":1,}']) expect(refusal(text)).toMatchObject({ code: 'invalid_json', status: 400 });
  });

  it('refuses NUL, non-finite numbers and reserved keys with 422 and the pointer of the first, in document order', () => {
    const cases: [string, string, RegExp][] = [
      ['{"a":["x","y\\u0000"]}', '/a/1', /NUL/],
      ['{"a/b":{"c~\\u0000":1}}', '/a~1b/c~0\u0000', /NUL/],
      ['{"n":1e309}', '/n', /finite/],
      ['{"d":{"x":[0,-1e400]}}', '/d/x/1', /finite/],
      ['{"__proto__":{"polluted":true}}', '/__proto__', /reserved/],
      ['{"data":{"a":[{"constructor":1}]}}', '/data/a/0/constructor', /reserved/],
      ['{"x":{"prototype":{}}}', '/x/prototype', /reserved/],
      ['{"first":"\\u0000","then":1e309,"__proto__":1}', '/first', /NUL/],
      ['{"first":[1e309],"then":"\\u0000"}', '/first/0', /finite/],
    ];
    for (const [text, pointer, message] of cases) {
      const r = refusal(text);
      expect(r, text).toMatchObject({ code: 'validation_failed', status: 422 });
      expect(r.details, text).toEqual([{ pointer, message: expect.stringMatching(message) }]);
    }
    // Names that are only hazards for rules stay allowed in bodies in general; event data refuses them itself.
    expect(parseJsonBody('{"toString":1,"valueOf":{"__proto_":1},"proto":1e308}')).toEqual({ toString: 1, valueOf: { __proto_: 1 }, proto: 1e308 });
  });

  it('returns exactly what JSON.parse returns for any JSON object it accepts', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'a\u0000')), fc.jsonValue({ maxDepth: 6 })), (value) => {
        const text = JSON.stringify(value);
        if (unsafe(value)) expect(refusal(text).status).toBe(422);
        else expect(parseJsonBody(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});
