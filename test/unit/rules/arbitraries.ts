/**
 * fast-check generators for rulesets inside the validated grammar, and for
 * fact sets (missing facts, nulls, numbers as strings, arrays, odd types).
 * Pools are small on purpose so that equalities and memberships actually hit.
 */
import fc from 'fast-check';
import { FACT_NAMES, type FactName } from '../../../rules/facts.ts';
import { analyzeOperator, constantOperand, DECORATOR_NAMES, factOperand, OPERATOR_NAMES, parseOperator, type ParsedOperator } from '../../../rules/operators.ts';
import type { Condition, Rule, TopCondition } from '../../../rules/schema.ts';

export type Doc = { rules: Rule[]; conditions?: Record<string, TopCondition> };

const CORE = [0, 1, '1', 'a', 'US', null, true] as const;
const RARE = [2, -1, 1.5, 10, 100, 5000, '0', '10', '1.5', ' 5', '5px', '1e3', 'abc', '', 'CA', 'signup', false] as const;
const scalar = fc.oneof({ weight: 3, arbitrary: fc.constantFrom<unknown>(...CORE) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(...RARE) });
const COUNTRIES = ['US', 'CA', 'GB', 'FR', 'DE', 'ES', 'IT', 'NL', 'SE', 'NO', 1, '1'];

const smallArray = fc.array(scalar, { maxLength: 4 });
const nestedArray = fc.array(smallArray, { maxLength: 3 });
const smallObject = fc.dictionary(fc.constantFrom('a', 'b', 'fact'), scalar, { maxKeys: 2, noNullPrototype: true });

/** Constants a rule may hold: JSON without hostile keys (an object with a "fact" key is a reference, so excluded). */
const constant: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 3, arbitrary: smallArray },
  { weight: 1, arbitrary: nestedArray },
  { weight: 1, arbitrary: fc.subarray(COUNTRIES, { minLength: 8 }) },
  { weight: 1, arbitrary: smallObject.filter((o) => !Object.hasOwn(o, 'fact')) },
);

/** Fact values additionally carry what JSON cannot: NaN, -0, undefined. */
const factScalar = fc.oneof({ weight: 8, arbitrary: scalar }, { weight: 1, arbitrary: fc.constantFrom<unknown>(Number.NaN, -0, undefined) });
const factLeafValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: factScalar },
  { weight: 3, arbitrary: fc.array(factScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.array(factScalar, { maxLength: 3 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.subarray(COUNTRIES) },
  { weight: 1, arbitrary: smallObject },
);
/** Keys named like lists mostly hold arrays, so array operators and fact references see arrays often. */
const LIST_KEYS = new Set(['tags', 'items']);
const listValue = fc.oneof({ weight: 5, arbitrary: fc.array(factScalar, { maxLength: 4 }) }, { weight: 1, arbitrary: factLeafValue });
const record = (keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .tuple(...keys.map((key) => fc.option(LIST_KEYS.has(key) ? listValue : factLeafValue, { nil: undefined, freq: 5 })))
    .map((values) => {
      const out: Record<string, unknown> = {};
      // Absent keys and keys holding undefined differ for the path resolver, so both occur.
      values.forEach((value, i) => {
        if (value !== undefined || i % 3 === 0) out[keys[i]] = value;
      });
      return out;
    });

const PARTICIPANT_KEYS = ['id', 'email', 'firstName', 'lastName', 'locale', 'countryCode', 'referredBy', 'w9OnFile', 'payoutInfoComplete', 'emailVerified', 'createdAt'];
const oddFact = fc.oneof(scalar, smallArray, fc.constant(undefined));
const objectOrOdd = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: oddFact });

const FACT_VALUE: Record<FactName, fc.Arbitrary<unknown>> = {
  event: objectOrOdd(
    fc.record(
      {
        type: fc.oneof(fc.constantFrom('signup', 'purchase', 'a', ''), factScalar),
        data: fc.oneof(record(['amount', 'plan', 'tags', 'items', 'x', 'country']), factScalar),
        occurredAt: fc.constantFrom('2024-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z'),
      },
      { requiredKeys: ['type'], noNullPrototype: true },
    ),
  ),
  participant: objectOrOdd(record(PARTICIPANT_KEYS)),
  referrer: fc.oneof(fc.constant(null), objectOrOdd(record(PARTICIPANT_KEYS))),
  stats: objectOrOdd(record(['rewardCount', 'cashRewardsThisYear', 'referralCount', 'w9Required', 'tags', 'x'])),
  program: objectOrOdd(fc.record({ id: fc.constantFrom('p1', 'a'), name: factScalar, settings: fc.oneof(record(['a', 'tags', 'x']), factScalar) }, { noNullPrototype: true })),
  now: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('2024-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z', 'a', '1') }, { weight: 1, arbitrary: factScalar }),
};

/** A fact set; now and then one fact is absent, which makes any rule reaching it throw. */
export const factsArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.record(FACT_VALUE), fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...FACT_NAMES) }))
  .map(([facts, drop]) => {
    const out: Record<string, unknown> = { ...facts };
    if (drop !== null) delete out[drop];
    return out;
  });

/** Paths allowed by the validator for each fact (undefined = no path). */
export const PATHS: Record<FactName, readonly (string | undefined)[]> = {
  event: [undefined, '$', '$.type', '$.type.length', '$.occurredAt', '$.data', '$.data.amount', '$.data.tags', '$.data.tags[0]', '$.data.tags.length', '$.data.items[1]', '$.data.x.a', '$.data.country'],
  participant: [undefined, '$.email', '$.countryCode', '$.firstName.length', '$.w9OnFile', '$.emailVerified', '$.referredBy', '$.locale[0]', '$.id'],
  referrer: [undefined, '$.email', '$.countryCode', '$.w9OnFile', '$.referredBy', '$.id.length'],
  stats: [undefined, '$', '$.rewardCount', '$.cashRewardsThisYear', '$.tags', '$.tags[0]', '$.tags.length', '$.x.a', '$[0]', '$.w9Required'],
  program: [undefined, '$.settings.a', '$.settings.tags[1]', '$.settings', '$.name', '$.id.length'],
  now: [undefined, '$'],
};

const factName = fc.constantFrom(...FACT_NAMES);
const LIST_REFS: { fact: FactName; path: string }[] = [
  { fact: 'stats', path: '$.tags' },
  { fact: 'event', path: '$.data.tags' },
  { fact: 'program', path: '$.settings.tags' },
];
const withPath = factName.chain((fact) => fc.constantFrom(...PATHS[fact]).map((path) => ({ fact, path })));

const decorators = fc.oneof(
  { weight: 10, arbitrary: fc.constant([]) },
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...DECORATOR_NAMES), { minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...DECORATOR_NAMES), { minLength: 2, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...DECORATOR_NAMES), { minLength: 3, maxLength: 3 }) },
);
const operator = fc
  .tuple(decorators, fc.constantFrom(...OPERATOR_NAMES))
  .map(([decorators, base]) => [...decorators, base].join(':'));

const priority = fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 2 });

/** Wraps the constant until every place that calls a method on it sees arrays, as the validator requires. */
function fitConstant(operatorName: string, value: unknown): unknown {
  const op = parseOperator(operatorName);
  if ('error' in op) throw new Error(op.error);
  let fitted = value;
  for (let i = 0; i < 6; i++) {
    if (analyzeOperator(op, factOperand, constantOperand(fitted)).refusal === null) return fitted;
    fitted = [fitted];
  }
  throw new Error(`cannot fit a constant to ${operatorName}`);
}

const leaf: fc.Arbitrary<Condition> = fc
  .record({
    subject: withPath,
    operator,
    value: fc.oneof({ weight: 6, arbitrary: constant.map((c) => ({ constant: c })) }, { weight: 1, arbitrary: withPath.map((ref) => ({ ref })) }),
    listRef: fc.option(fc.constantFrom(...LIST_REFS), { nil: undefined, freq: 6 }),
    priority,
  })
  .map(({ subject, operator: op, value, listRef, priority: p }) => {
    const node: Record<string, unknown> = { fact: subject.fact, operator: op };
    if (subject.path !== undefined) node.path = subject.path;
    if ('ref' in value) {
      const parsed = parseOperator(op) as ParsedOperator;
      // A reference where a method is called on it throws unless it holds an array: usually make it a list.
      const risky = analyzeOperator(parsed, factOperand, factOperand).canThrow;
      const ref = risky && listRef !== undefined ? listRef : value.ref;
      node.value = ref.path === undefined ? { fact: ref.fact } : ref;
    } else node.value = fitConstant(op, value.constant);
    if (p !== undefined) node.priority = p;
    return node as Condition;
  });

const reference = (names: readonly string[]) =>
  fc.record({ condition: fc.constantFrom(...names), priority }).map(({ condition, priority: p }) => (p === undefined ? { condition } : { condition, priority: p }) as Condition);

/** A condition tree of at most `depth` levels; references only to `names`. */
function tree(depth: number, names: readonly string[], top: boolean): fc.Arbitrary<Condition> {
  const leaves: fc.Arbitrary<Condition>[] = [leaf];
  if (names.length > 0) leaves.push(reference(names));
  const atom = fc.oneof(...leaves);
  if (depth <= 1) return top && names.length > 0 ? reference(names) : top ? branch(fc.constant([] as Condition[]), 'all') : atom;
  const child = tree(depth - 1, names, false);
  const branches = fc.oneof(
    { weight: 3, arbitrary: branch(fc.array(child, { maxLength: 4 }), 'all') },
    { weight: 3, arbitrary: branch(fc.array(child, { minLength: 1, maxLength: 4 }), 'any') },
    { weight: 1, arbitrary: fc.record({ not: child, priority }, { noNullPrototype: true }).map(clean) },
  );
  if (top) return names.length > 0 ? fc.oneof({ weight: 6, arbitrary: branches }, { weight: 1, arbitrary: reference(names) }) : branches;
  return fc.oneof({ weight: 3, arbitrary: atom }, { weight: 2, arbitrary: branches });
}

const clean = (node: Record<string, unknown>): Condition => {
  if (node.priority === undefined) delete node.priority;
  return node as Condition;
};
const branch = (children: fc.Arbitrary<Condition[]>, kind: 'all' | 'any') =>
  fc.record({ children, priority }).map(({ children: list, priority: p }) => clean({ [kind]: list, priority: p }));

const NAMES = ['c0', 'c1', 'c2'] as const;

/**
 * Depths are chosen so the deepest expansion (rule 4 levels, each shared
 * condition 3, chained c2 -> c1 -> c0) stays within MAX_DEPTH.
 */
const namedArb = fc
  .tuple(tree(3, [], true), tree(3, ['c0'], true), tree(3, ['c0', 'c1'], true))
  .map(([c0, c1, c2]) => ({ c0, c1, c2 }) as Record<string, TopCondition>);

export const docArb = (rules: { min: number; max: number }): fc.Arbitrary<Doc> =>
  fc
    .tuple(
      fc.option(namedArb, { nil: undefined, freq: 4 }),
      fc.array(fc.tuple(tree(4, NAMES, true), fc.integer({ min: 1, max: 3 })), { minLength: rules.min, maxLength: rules.max }),
    )
    .map(([named, list]) => {
      const rules = list.map(([conditions, p], i): Rule => ({
        name: `r${i}`,
        priority: p,
        conditions: named === undefined ? stripRefs(conditions) : (conditions as TopCondition),
        event: { type: 'reward', params: { kind: 'cash', amount: 1, currency: 'USD', to: 'participant' } },
      }));
      return named === undefined ? { rules } : { rules, conditions: named };
    });

/** Without shared conditions a reference would be undefined: turn it into an empty "all". */
function stripRefs(node: Condition): TopCondition {
  const walk = (n: Condition): Condition => {
    if ('all' in n) return { ...n, all: n.all.map(walk) };
    if ('any' in n) return { ...n, any: n.any.map(walk) };
    if ('not' in n) return { ...n, not: walk(n.not) };
    if ('condition' in n) return n.priority === undefined ? { all: [] } : { all: [], priority: n.priority };
    return n;
  };
  return walk(node) as TopCondition;
}
