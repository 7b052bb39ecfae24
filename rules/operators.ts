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

export type Comparator = (factValue: unknown, jsonValue: unknown) => boolean;

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

const BASE: Record<OperatorName, Comparator> = {
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

/** Each wrapper includes the decorator's own fact validator (Array.isArray for someFact/everyFact). */
const DECORATE: Record<DecoratorName, (next: Comparator) => Comparator> = {
  someFact: (next) => (a, b) => Array.isArray(a) && a.some((fv) => next(fv, b)),
  everyFact: (next) => (a, b) => Array.isArray(a) && a.every((fv) => next(fv, b)),
  someValue: (next) => (a, b) => (b as List).some((jv) => next(a, jv)),
  everyValue: (next) => (a, b) => (b as List).every((jv) => next(a, jv)),
  swap: (next) => (a, b) => next(b, a),
  not: (next) => (a, b) => !next(a, b),
};

export function buildComparator(op: ParsedOperator): Comparator {
  let fn = BASE[op.base];
  for (let i = op.decorators.length - 1; i >= 0; i--) fn = DECORATE[op.decorators[i]](fn);
  return fn;
}

/** Below this size indexOf beats a Set lookup. */
const SET_THRESHOLD = 8;

/**
 * A one-argument test for a constant right-hand side, for the shapes worth
 * specialising; otherwise the general comparator bound to the constant.
 */
export function buildConstantTest(op: ParsedOperator, constant: unknown): (factValue: unknown) => boolean {
  if (op.decorators.length === 0 || (op.decorators.length === 1 && op.decorators[0] === 'not')) {
    const test = baseConstantTest(op.base, constant);
    if (test !== null) return op.decorators.length === 0 ? test : (a) => !test(a);
  }
  const compare = buildComparator(op);
  return (a) => compare(a, constant);
}

function baseConstantTest(base: OperatorName, k: unknown): ((a: unknown) => boolean) | null {
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
      return (a) => numberValidator(a) && (a as Lt) < (k as Lt);
    case 'lessThanInclusive':
      return (a) => numberValidator(a) && (a as Lt) <= (k as Lt);
    case 'greaterThan':
      return (a) => numberValidator(a) && (a as Lt) > (k as Lt);
    case 'greaterThanInclusive':
      return (a) => numberValidator(a) && (a as Lt) >= (k as Lt);
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
