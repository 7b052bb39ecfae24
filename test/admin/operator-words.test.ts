import { describe, expect, it } from 'vitest';
import { OPERATOR_NAMES } from '../../rules/operators.ts';
import { operatorLabel, operatorWords, withOperatorWords } from '../../runtime/admin/operator-words.ts';

describe('operators in words', () => {
  it('says every operator in words, with its JSON name where they differ', () => {
    for (const name of OPERATOR_NAMES) expect(operatorWords(name)).toMatch(/^[a-z ]+$/);
    expect(operatorLabel('greaterThanInclusive')).toBe('greater than or equal (greaterThanInclusive)');
    expect(operatorLabel('equal')).toBe('equal');
    expect(operatorLabel('not:someFact:in')).toBe('not, some item of the fact: in (not:someFact:in)');
  });

  it('leaves what is not an operator as written', () => {
    expect(operatorLabel('isAbout')).toBe('isAbout');
    expect(operatorLabel('bogus:equal')).toBe('bogus:equal');
    expect(withOperatorWords('must be one of cash, credit')).toBe('must be one of cash, credit');
    expect(withOperatorWords('unknown decorator "x"; expected one of someFact, not')).toBe('unknown decorator "x"; expected one of someFact, not');
    expect(withOperatorWords('unknown operator "x"; expected one of equal, lessThan')).toBe('unknown operator "x"; expected one of equal, less than (lessThan)');
  });
});
