import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLocated } from '../../runtime/admin/json-locator.ts';
import { pointerOf } from '../../runtime/validation.ts';

function located(text: string) {
  const result = parseLocated(text);
  if (!result.ok) throw new Error(`expected valid JSON: ${result.error.message}`);
  return result;
}

/** Every pointer into a value, as the API would write them. */
function pointers(value: unknown, path: (string | number)[] = []): string[] {
  const here = pointerOf(path);
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => pointers(v, [...path, i]))];
  if (value !== null && typeof value === 'object') return [here, ...Object.entries(value).flatMap(([k, v]) => pointers(v, [...path, k]))];
  return [here];
}

describe('JSON pointer locator', () => {
  const text = ['{', '  "rules": [', '    {', '      "name": "a",', '      "conditions": { "all": [', '        { "fact": "event", "operator": "equalz", "value": 1 }', '      ] },', '      "a/b~c": 2', '    }', '  ]', '}'].join('\n');

  it('finds members at their key and items where they start', () => {
    const r = located(text);
    expect(r.locate('')).toEqual({ line: 1, column: 1, exact: true });
    expect(r.locate('/rules')).toEqual({ line: 2, column: 3, exact: true });
    expect(r.locate('/rules/0')).toEqual({ line: 3, column: 5, exact: true });
    expect(r.locate('/rules/0/conditions/all/0/operator')).toEqual({ line: 6, column: 28, exact: true });
    expect(r.locate('/rules/0/a~1b~0c')).toMatchObject({ line: 8, exact: true });
  });

  it('places a pointer to something absent at the nearest thing present', () => {
    const r = located(text);
    expect(r.locate('/rules/0/event')).toEqual({ line: 3, column: 5, exact: false });
    expect(r.locate('/rules/7/name')).toMatchObject({ line: 2, exact: false });
  });

  it.each([
    ['{"a": 1,}', 1, 9, 'comma before "}"'],
    ["{'a': 1}", 1, 2, 'double quotes'],
    ['{\n  "a": 1\n  "b": 2\n}', 2, 9, 'A comma is missing after this value'],
    ['[\n  {"x": 1}\n  {"y": 2}\n]', 2, 11, 'A comma is missing after this item'],
    ['[1, 2', 1, 6, 'ends early'],
    ['{"a": "x\ny"}', 1, 9, 'must be escaped'],
    ['{"a": 1} x', 1, 10, 'after the end'],
    ['{"a": tru}', 1, 7, 'expected a value'],
    ['// note\n{}', 1, 1, 'comments'],
    ['', 1, 1, 'ends early'],
    ['{"rules": [\n  {"value": -1e309}]}', 2, 13, 'too large'],
  ])('reports %j at line %i, column %i', (bad, line, column, message) => {
    const r = parseLocated(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ line, column });
      expect(r.error.message).toContain(message);
    }
  });

  it('refuses nesting deep enough to exhaust the stack, without throwing', () => {
    const r = parseLocated('['.repeat(100_000));
    expect(r.ok).toBe(false);
  });

  it('agrees with JSON.parse and locates every pointer of any document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const source = JSON.stringify(value, null, indent);
        const r = located(source);
        expect(r.value).toEqual(JSON.parse(source));
        for (const p of pointers(JSON.parse(source))) expect(r.locate(p).exact).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects exactly what JSON.parse rejects, and numbers it would turn into Infinity', () => {
    const finite = (v: unknown): boolean => (typeof v === 'number' ? Number.isFinite(v) : v !== null && typeof v === 'object' ? Object.values(v).every(finite) : true);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '1', '-', 'e', '.', ' ', '\n', 't', 'a', '\\', 'u', '0', '9', '3') }), (text) => {
        let native = true;
        try {
          native = finite(JSON.parse(text));
        } catch {
          native = false;
        }
        expect(parseLocated(text).ok).toBe(native);
      }),
      { numRuns: 2000 },
    );
  });
});
