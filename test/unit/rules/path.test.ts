import fc from 'fast-check';
import { Almanac } from 'json-rules-engine';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { applyPath, MAX_PATH_LENGTH, parsePath, resolvePath } from '../../../rules/path.ts';

/** The reference: the almanac with its default jsonpath-plus resolver. */
async function referenceValue(value: unknown, path: string): Promise<unknown> {
  const almanac = new Almanac({ allowUndefinedFacts: false });
  almanac.addFact('f', value as never);
  return almanac.factValue('f', {}, path);
}

const KEYS = ['a', 'b', 'length', '0', '1', '01', 'x_1', '_'];
const leafValue = fc.oneof(
  fc.constantFrom<unknown>(0, 1, -1, 1.5, '', 'a', 'abc', '0', true, false, null, undefined, Number.NaN),
  fc.string({ maxLength: 3 }),
);
const { value: jsonish } = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 4, depthIdentifier: 'v' }, leafValue, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3, depthIdentifier: 'v' }),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4, depthIdentifier: 'v', noNullPrototype: true }),
}));
const segment = fc.oneof(
  fc.constantFrom('a', 'b', 'length', 'x_1', '_', 'A9').map((k) => `.${k}`),
  fc.constantFrom('0', '1', '2', '01', '10').map((i) => `[${i}]`),
);
const path = fc.array(segment, { maxLength: 5 }).map((parts) => `$${parts.join('')}`);

describe('parsePath', () => {
  it('accepts "$" followed by .identifier and [digits] segments', () => {
    expect(parsePath('$')).toEqual([]);
    expect(parsePath('$.a')).toEqual(['a']);
    expect(parsePath('$.data.tags[0].name')).toEqual(['data', 'tags', '0', 'name']);
    expect(parsePath('$[12][0]')).toEqual(['12', '0']);
    expect(parsePath('$._x1.length')).toEqual(['_x1', 'length']);
  });

  it.each([
    '',
    'a.b',
    '.a',
    '$.',
    '$..a',
    '$.*',
    '$[*]',
    '$.a[-1]',
    '$.a[ 0 ]',
    '$.a[0:2]',
    "$['a']",
    '$["a"]',
    '$.a,b',
    '$.a.0',
    '$.1a',
    '$.a-b',
    '$.a b',
    '$.é',
    '$.a[?(@.b)]',
    '$.a[(@.length-1)]',
    '$.a^',
    '$.a~',
    '$.@string()',
    '$.`a',
    '$.__proto__',
    '$.a.constructor',
    '$.prototype',
    '$[__proto__]',
    ' $.a',
    '$.a ',
    '$.a\n',
  ])('refuses %j', (p) => {
    expect(parsePath(p)).toBeNull();
  });

  it('refuses overlong paths', () => {
    expect(parsePath(`$${'.a'.repeat(MAX_PATH_LENGTH)}`)).toBeNull();
  });

  it('accepts nothing outside the grammar: whatever it accepts prints back to the same text', () => {
    const chars = fc.constantFrom('$', '.', '[', ']', 'a', 'b', '0', '1', '_', '?', '(', ')', '@', '*', "'", ' ', 'constructor');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((c) => c.join('')), (text) => {
        const segments = parsePath(text);
        if (segments === null) return;
        const printed = `$${segments.map((s) => (/^[0-9]+$/.test(s) ? `[${s}]` : `.${s}`)).join('')}`;
        expect(printed).toBe(text);
      }),
      { seed: 7, numRuns: 20_000 },
    );
  });
});

describe('resolvePath / applyPath against json-rules-engine + jsonpath-plus', () => {
  it('hand-picked cases', async () => {
    const cases: [unknown, string][] = [
      [{ tags: ['a', 'b'] }, '$.tags.length'],
      [{ name: 'abc' }, '$.name.length'],
      [{ name: 'abc' }, '$.name[1]'],
      [{ name: '' }, '$.name.length'],
      [{ n: 0 }, '$.n.x'],
      [{ a: null }, '$.a.b'],
      [{ a: { b: undefined } }, '$.a.b'],
      [{ a: [[1, 2]] }, '$.a[0][1]'],
      [{ a: [1] }, '$.a[01]'],
      [[5, 6], '$[1]'],
      [[5, 6], '$.length'],
      [{ a: 1 }, '$'],
      ['text', '$.length'],
      [5, '$.a'],
      [null, '$.a'],
      [undefined, '$.a'],
      [{ a: true }, '$.a.valueOf'],
      [{ a: 'x' }, '$.a.toString'],
      [{ a: {} }, '$.a.hasOwnProperty'],
    ];
    for (const [value, p] of cases) {
      const segments = parsePath(p) as string[];
      expect(applyPath(value, segments), `${JSON.stringify(value)} ${p}`).toBe(await referenceValue(value, p));
    }
  });

  it('random values and paths (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(jsonish, path, async (value, p) => {
        const segments = parsePath(p);
        expect(segments).not.toBeNull();
        expect(applyPath(value, segments as string[])).toBe(await referenceValue(value, p));
        if (value !== null && typeof value === 'object') {
          expect(resolvePath(value, segments as string[])).toBe(JSONPath({ path: p, json: value, wrap: false }));
        }
      }),
      { seed: 42, numRuns: 20_000 },
    );
  });
});
