import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { rulesJsonSchema } from '../../../rules/json-schema.ts';
import { validateRuleset } from '../../../rules/validate.ts';
import { docArb, type Doc } from './arbitraries.ts';

// The published JSON Schema against the validator, over the differential corpus:
// whatever the validator accepts, a standard validator (ajv, draft 2020-12)
// accepts too; documents broken in their structure are refused by both.

const ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false });
const schemaAccepts = ajv.compile(rulesJsonSchema());
const templates = { templateExists: () => true };
const SEED = 20_261_130;

type Mutation = { name: string; apply(doc: Doc): unknown };
const firstLeaf = (node: any): any => {
  for (const key of ['all', 'any']) if (Array.isArray(node?.[key])) for (const child of node[key]) { const found = firstLeaf(child); if (found) return found; }
  if (node?.not) return firstLeaf(node.not);
  return node && 'fact' in node ? node : null;
};
const withLeaf = (doc: Doc, change: (leaf: any) => void): unknown => {
  const copy: any = structuredClone(doc);
  const leaf = copy.rules.map((r: any) => firstLeaf(r.conditions)).find(Boolean);
  if (!leaf) return null;
  change(leaf);
  return copy;
};
const withRule = (doc: Doc, change: (rule: any) => void): unknown => {
  const copy: any = structuredClone(doc);
  change(copy.rules[0]);
  return copy;
};

/** Structural breaks: each is refused by the validator for its shape, not for a semantic reason. */
const MUTATIONS: Mutation[] = [
  { name: 'unknown fact', apply: (d) => withLeaf(d, (l) => { l.fact = 'customer'; }) },
  { name: 'unknown operator', apply: (d) => withLeaf(d, (l) => { l.operator = 'matches'; }) },
  { name: 'unknown decorator', apply: (d) => withLeaf(d, (l) => { l.operator = `sometimes:${l.operator}`; }) },
  { name: 'missing value', apply: (d) => withLeaf(d, (l) => { delete l.value; }) },
  { name: 'unknown participant field', apply: (d) => withLeaf(d, (l) => { l.fact = 'participant'; l.path = '$.shoeSize'; }) },
  { name: 'path with a filter', apply: (d) => withLeaf(d, (l) => { l.fact = 'event'; l.path = '$.data[?(@.x)]'; }) },
  { name: 'extra field on a leaf', apply: (d) => withLeaf(d, (l) => { l.weight = 2; }) },
  { name: 'rule without event', apply: (d) => withRule(d, (r) => { delete r.event; }) },
  { name: 'leaf at the root', apply: (d) => withRule(d, (r) => { r.conditions = { fact: 'event', operator: 'equal', value: 1 }; }) },
  { name: 'unknown action type', apply: (d) => withRule(d, (r) => { r.event = { type: 'sms', params: {} }; }) },
  { name: 'unknown reward kind', apply: (d) => withRule(d, (r) => { r.event = { type: 'reward', params: { kind: 'points', amount: 5 } }; }) },
  { name: 'negative amount', apply: (d) => withRule(d, (r) => { r.event = { type: 'reward', params: { kind: 'cash', amount: -5 } }; }) },
  { name: 'percent over 100', apply: (d) => withRule(d, (r) => { r.event = { type: 'reward', params: { kind: 'percent_discount', amount: 150 } }; }) },
  { name: 'bad template key', apply: (d) => withRule(d, (r) => { r.event = { type: 'email', params: { template: 'Welcome Email' } }; }) },
  { name: 'priority zero', apply: (d) => withRule(d, (r) => { r.priority = 0; }) },
  { name: 'empty name', apply: (d) => withRule(d, (r) => { r.name = ''; }) },
  { name: 'two boolean keys', apply: (d) => withRule(d, (r) => { r.conditions = { all: [], any: [] }; }) },
  { name: 'rules not an array', apply: () => ({ rules: {} }) },
  { name: 'unknown top-level field', apply: (d) => ({ ...structuredClone(d), version: 3 }) },
];

describe('docs/rules.schema.json (/schemas/rules.json)', () => {
  it('accepts every document the validator accepts in the differential corpus', () => {
    let accepted = 0;
    fc.assert(
      fc.property(docArb({ min: 1, max: 12 }), (doc) => {
        if (!validateRuleset(doc, templates).ok) return;
        accepted++;
        const ok = schemaAccepts(doc);
        if (!ok) throw new Error(`schema refused an accepted document: ${JSON.stringify(schemaAccepts.errors?.slice(0, 3))}\n${JSON.stringify(doc)}`);
      }),
      { seed: SEED, numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('refuses documents the validator refuses for their structure', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(docArb({ min: 1, max: 6 }), fc.constantFrom(...MUTATIONS), (doc, mutation) => {
        const broken = mutation.apply(doc);
        if (broken === null) return;
        seen.add(mutation.name);
        expect(validateRuleset(broken, templates).ok, `validator on ${mutation.name}`).toBe(false);
        expect(schemaAccepts(broken), `schema on ${mutation.name}: ${JSON.stringify(broken)}`).toBe(false);
      }),
      { seed: SEED, numRuns: 400 },
    );
    expect([...seen].sort()).toEqual(MUTATIONS.map((m) => m.name).sort());
  });

  it('lets a rules file name its schema with "$schema"', () => {
    const doc = { $schema: 'https://example.com/schemas/rules.json', rules: [{ name: 'r', conditions: { all: [{ fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: 50 }] }, event: { type: 'reward', params: { kind: 'cash', amount: 25, to: 'referrer' } } }] };
    expect(schemaAccepts(doc)).toBe(true);
    const checked = validateRuleset(doc, templates);
    expect(checked.ok).toBe(true);
    expect(checked.ok && '$schema' in checked.ruleset).toBe(false);
  });
});
