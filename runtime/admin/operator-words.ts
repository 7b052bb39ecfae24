import { parseOperator } from '../../rules/operators.ts';

// Operators as a program manager reads them, always with the JSON name they
// write in the rules: "greater than or equal (greaterThanInclusive)".

const OPERATOR_WORDS: Record<string, string> = {
  equal: 'equal',
  notEqual: 'not equal',
  in: 'in',
  notIn: 'not in',
  contains: 'contains',
  doesNotContain: 'does not contain',
  lessThan: 'less than',
  lessThanInclusive: 'less than or equal',
  greaterThan: 'greater than',
  greaterThanInclusive: 'greater than or equal',
};

const DECORATOR_WORDS: Record<string, string> = {
  someFact: 'some item of the fact',
  someValue: 'some item of the value',
  everyFact: 'every item of the fact',
  everyValue: 'every item of the value',
  swap: 'swapped',
  not: 'not',
};

/** The words alone; an operator the rules do not know stays as written. */
export function operatorWords(name: string): string {
  const parsed = parseOperator(name);
  if ('error' in parsed) return name;
  const base = OPERATOR_WORDS[parsed.base] ?? parsed.base;
  return parsed.decorators.length ? `${parsed.decorators.map((d) => DECORATOR_WORDS[d] ?? d).join(', ')}: ${base}` : base;
}

/** Words and JSON name together, as the console shows every operator. */
export function operatorLabel(name: string): string {
  const words = operatorWords(name);
  return words === name ? name : `${words} (${name})`;
}

const isOperatorName = (s: string) => Object.hasOwn(OPERATOR_WORDS, s);

/** A validator's "expected one of equal, notEqual, …" with each operator in words too. */
export function withOperatorWords(message: string): string {
  return message.replace(/expected one of ([A-Za-z]+(?:, [A-Za-z]+)*)$/, (all, list: string) => {
    const names = list.split(', ');
    return names.every(isOperatorName) ? `expected one of ${names.map(operatorLabel).join(', ')}` : all;
  });
}
