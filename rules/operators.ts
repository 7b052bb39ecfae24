import { charge, compareCost, conversionCost, scanCost, searchCost, type Meter } from './budget.ts';

/**
 * Operators and decorators of json-rules-engine 7.3.1, written with the same
 * expressions (engine-default-operators.js, engine-default-operator-decorators.js)
 * so that results, and the TypeErrors they throw, are identical.
 */

export const OPERATOR_NAMES = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;
export type OperatorName = (typeof OPERATOR_NAMES)[number];

export const DECORATOR_NAMES = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'] as const;
export type DecoratorName = (typeof DECORATOR_NAMES)[number];

/** The reference has no limit; a longer chain is never useful and only costs time. */
export const MAX_DECORATORS = 8;

/** Decorators listed outermost first, as written: "not:someFact:equal" is not(someFact(equal)). */
export type ParsedOperator = { readonly decorators: readonly DecoratorName[]; readonly base: OperatorName };

/** The meter is the run's: every comparison and every element a decorator visits is charged to it. */
export type Comparator = (factValue: unknown, jsonValue: unknown, m: Meter) => boolean;

/** A comparison against a constant fixed at compile time. */
export type ConstantTest = (factValue: unknown, m: Meter) => boolean;

const isOperatorName = (name: string): name is OperatorName => (OPERATOR_NAMES as readonly string[]).includes(name);
const isDecoratorName = (name: string): name is DecoratorName => (DECORATOR_NAMES as readonly string[]).includes(name);

/** Same lookup as OperatorMap.get: split on ':', every part but the last a decorator, the last an operator. */
export function parseOperator(name: string): ParsedOperator | { error: string } {
  const parts = name.split(':');
  const base = parts.pop() as string;
  if (!isOperatorName(base)) {
    return { error: `unknown operator "${base}"; expected one of ${OPERATOR_NAMES.join(', ')}` };
  }
  if (parts.length > MAX_DECORATORS) return { error: `at most ${MAX_DECORATORS} decorators are allowed` };
  for (const part of parts) {
    if (!isDecoratorName(part)) {
      return { error: `unknown decorator "${part}"; expected one of ${DECORATOR_NAMES.join(', ')}` };
    }
  }
  return { decorators: parts as DecoratorName[], base };
}

/** numberValidator of the reference; the number branch is the same test without the string round trip. */
export function numberValidator(factValue: unknown): boolean {
  if (typeof factValue === 'number') return factValue === factValue;
  return !Number.isNaN(Number.parseFloat(factValue as string));
}

type Indexable = { indexOf(x: unknown): number };
type Lt = number;

const BASE: Record<OperatorName, (a: unknown, b: unknown) => boolean> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => (b as Indexable).indexOf(a) > -1,
  notIn: (a, b) => (b as Indexable).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => numberValidator(a) && (a as Lt) < (b as Lt),
  lessThanInclusive: (a, b) => numberValidator(a) && (a as Lt) <= (b as Lt),
  greaterThan: (a, b) => numberValidator(a) && (a as Lt) > (b as Lt),
  greaterThanInclusive: (a, b) => numberValidator(a) && (a as Lt) >= (b as Lt),
};

type List = { some(f: (x: unknown) => boolean): boolean; every(f: (x: unknown) => boolean): boolean };

/**
 * Each wrapper includes the decorator's own fact validator (Array.isArray for
 * someFact/everyFact). Each element visited costs a unit, even when the
 * comparison below it does nothing (an empty nested array), so nesting cannot
 * hide work from the budget.
 */
const DECORATE: Record<DecoratorName, (next: Comparator) => Comparator> = {
  someFact: (next) => (a, b, m) =>
    Array.isArray(a) &&
    a.some((fv) => {
      charge(m, 1);
      return next(fv, b, m);
    }),
  everyFact: (next) => (a, b, m) =>
    Array.isArray(a) &&
    a.every((fv) => {
      charge(m, 1);
      return next(fv, b, m);
    }),
  // b.some/b.every are called as the reference calls them, so a non-array throws the same TypeError.
  someValue: (next) => (a, b, m) =>
    (b as List).some((jv) => {
      charge(m, 1);
      return next(a, jv, m);
    }),
  everyValue: (next) => (a, b, m) =>
    (b as List).every((jv) => {
      charge(m, 1);
      return next(a, jv, m);
    }),
  swap: (next) => (a, b, m) => next(b, a, m),
  not: (next) => (a, b, m) => !next(a, b, m),
};

type Cost = (a: unknown, b: unknown, m: Meter) => number;

/** Equality is by identity except between strings, which compare by content. */
const equalityCost: Cost = (a, b) => (typeof a === 'string' && typeof b === 'string' ? compareCost(a) : 0);

/** `b.indexOf(a)`: a scan of an array, or a search of a string for `a` converted to a string. */
const membershipCost: Cost = (a, b, m) => {
  if (Array.isArray(b)) return scanCost(b, a);
  return typeof b === 'string' ? searchCost(b) + conversionCost(a, m) : 0;
};

/** `a.indexOf(b)` on a fact array. */
const containsCost: Cost = (a, b) => (Array.isArray(a) ? scanCost(a, b) : 0);

/** numberValidator and `<` convert whatever is not a number. */
const orderCost: Cost = (a, b, m) => (typeof a === 'number' ? 0 : conversionCost(a, m)) + (typeof b === 'number' ? 0 : conversionCost(b, m));

/** What each base operator reads beyond its one comparison; see budget.ts for the units. */
const COST: Record<OperatorName, Cost> = {
  equal: equalityCost,
  notEqual: equalityCost,
  in: membershipCost,
  notIn: membershipCost,
  contains: containsCost,
  doesNotContain: containsCost,
  lessThan: orderCost,
  lessThanInclusive: orderCost,
  greaterThan: orderCost,
  greaterThanInclusive: orderCost,
};

/** A base operator charged by what it reads before it runs, so an oversized comparison never starts. */
function metered(base: OperatorName): Comparator {
  const compare = BASE[base];
  const cost = COST[base];
  return (a, b, m) => {
    charge(m, 1 + cost(a, b, m));
    return compare(a, b);
  };
}

export function buildComparator(op: ParsedOperator): Comparator {
  let fn = metered(op.base);
  for (let i = op.decorators.length - 1; i >= 0; i--) fn = DECORATE[op.decorators[i]](fn);
  return fn;
}

/** Below this size indexOf beats a Set lookup. */
const SET_THRESHOLD = 8;

/**
 * A test for a constant right-hand side, for the shapes worth specialising;
 * otherwise the general comparator bound to the constant.
 */
export function buildConstantTest(op: ParsedOperator, constant: unknown): ConstantTest {
  if (op.decorators.length === 0 || (op.decorators.length === 1 && op.decorators[0] === 'not')) {
    const test = baseConstantTest(op.base, constant);
    if (test !== null) return op.decorators.length === 0 ? test : (a, m) => !test(a, m);
  }
  const compare = buildComparator(op);
  return (a, m) => compare(a, constant, m);
}

/**
 * Charges a fact value that is not a number before a numeric comparison
 * converts it (a long string, an array joined into one); always true, so it
 * sits in the condition's `&&` chain. Numbers, the common case, skip it.
 */
function convertible(a: unknown, m: Meter): true {
  charge(m, conversionCost(a, m));
  return true;
}

/**
 * Equality and membership in a constant list cost what the constant costs
 * (the rule's size, already bounded), whatever the fact holds, so they are
 * not charged: they are the common conditions and stay as cheap as they were.
 */
function baseConstantTest(base: OperatorName, k: unknown): ConstantTest | null {
  switch (base) {
    case 'equal':
      return (a) => a === k;
    case 'notEqual':
      return (a) => a !== k;
    case 'in':
    case 'notIn': {
      if (!Array.isArray(k)) return null;
      if (k.length < SET_THRESHOLD) return base === 'in' ? (a) => k.indexOf(a) > -1 : (a) => k.indexOf(a) === -1;
      // indexOf never matches NaN while Set.has does; everything else is the same equality.
      const set = new Set<unknown>(k);
      return base === 'in' ? (a) => a === a && set.has(a) : (a) => a !== a || !set.has(a);
    }
    case 'lessThan':
      return (a, m) => (typeof a === 'number' || convertible(a, m)) && numberValidator(a) && (a as Lt) < (k as Lt);
    case 'lessThanInclusive':
      return (a, m) => (typeof a === 'number' || convertible(a, m)) && numberValidator(a) && (a as Lt) <= (k as Lt);
    case 'greaterThan':
      return (a, m) => (typeof a === 'number' || convertible(a, m)) && numberValidator(a) && (a as Lt) > (k as Lt);
    case 'greaterThanInclusive':
      return (a, m) => (typeof a === 'number' || convertible(a, m)) && numberValidator(a) && (a as Lt) >= (k as Lt);
    default:
      return null;
  }
}

/** An operand is either a constant from the rule (its possible values) or something read from facts. */
export type Operand = { readonly known: true; readonly values: readonly unknown[] } | { readonly known: false };
const UNKNOWN: Operand = { known: false };

export const factOperand: Operand = UNKNOWN;
export const constantOperand = (value: unknown): Operand => ({ known: true, values: [value] });

export type OperatorAnalysis = { canThrow: boolean; refusal: string | null };

/**
 * Follows the operands through the decorators to the places that call a method
 * on them (`b.indexOf` in in/notIn, `b.some`/`b.every` in someValue/everyValue):
 * a constant that is not an array there is refused, a fact value there may throw.
 * Everything else cannot throw on JSON values free of hostile keys.
 */
export function analyzeOperator(op: ParsedOperator, fact: Operand, value: Operand): OperatorAnalysis {
  let a = fact;
  let b = value;
  let canThrow = false;
  for (const decorator of op.decorators) {
    if (decorator === 'swap') [a, b] = [b, a];
    else if (decorator === 'someFact' || decorator === 'everyFact') a = elements(a);
    else if (decorator === 'someValue' || decorator === 'everyValue') {
      if (b.known && !b.values.every(Array.isArray)) return { canThrow: true, refusal: `"${decorator}" needs an array value` };
      if (!b.known) canThrow = true;
      b = elements(b);
    }
  }
  if (op.base === 'in' || op.base === 'notIn') {
    if (b.known && !b.values.every(Array.isArray)) return { canThrow: true, refusal: `"${op.base}" needs an array value` };
    if (!b.known) canThrow = true;
  }
  return { canThrow, refusal: null };
}

function elements(operand: Operand): Operand {
  if (!operand.known) return UNKNOWN;
  const values: unknown[] = [];
  for (const v of operand.values) if (Array.isArray(v)) for (const item of v) values.push(item);
  return { known: true, values };
}
