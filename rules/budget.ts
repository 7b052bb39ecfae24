/**
 * The work one evaluation may do. Facts are tenant data, so a condition's
 * cost grows with them: a decorated operator comparing two fact arrays does
 * N x M comparisons, and a scan or a string conversion of a large value,
 * repeated by thousands of conditions, adds up the same way. Every such step
 * is counted against one budget per evaluation (a live event, a dry run, a
 * `rules test`), so the worst case is bounded and the answer is a 422 naming
 * the condition that ran out, never a stalled server.
 *
 * A unit is one comparison or one element a decorator visits; scans, string
 * reads and conversions are charged in the same units by their size (below),
 * before they run. Counting is deterministic: the same rules and facts always
 * stop at the same condition.
 */

/**
 * Spent in about 40-90 ms of CPU by the costliest kind of work (decorated
 * comparisons of two fact arrays; measured on a shared 2-core machine), so a
 * refusal comes well under a second. A heavy real program (100 rules, each
 * matching a 50-item fact list against a 30-item list) needs about 50,000
 * units, the differential test corpus at most about 3,000.
 *
 * Why the validator refuses no shape for its cost: every shape's cost is
 * already bounded. Decorators iterate only arrays present in the facts, at
 * most 8 decorators per operator and a bounded number of conditions per
 * ruleset, so a condition compares at most every part of one operand with
 * every part of the other (quadratic in the facts' size), each comparison at
 * most linear. How much that is depends on the facts, which only the run
 * sees, so the run counts it.
 */
export const EVALUATION_BUDGET = 4_000_000;

/** Where the count lives: on the RunContext, one per evaluation. */
export type Meter = { spent: number; readonly limit: number; weights: WeakMap<readonly unknown[], number> | null };

export class BudgetExceeded extends Error {
  readonly kind: 'work' | 'explanation';
  readonly limit: number;

  constructor(kind: 'work' | 'explanation', limit: number) {
    super(
      kind === 'work'
        ? `the evaluation needs more than its budget of ${limit} units of work (comparisons and array elements visited); compare smaller arrays or fewer of them`
        : `the explanation is larger than its budget of ${limit} bytes; dry-run fewer rules or smaller facts`,
    );
    this.name = 'BudgetExceeded';
    this.kind = kind;
    this.limit = limit;
  }
}

export function charge(m: Meter, units: number): void {
  if ((m.spent += units) > m.limit) throw new BudgetExceeded('work', m.limit);
}

/*
 * What reading a value costs, in units of about 5 ns of the slowest work of
 * that kind (measured with CPU time on the operations below, V8): so a unit is
 * one comparison, four array elements scanned by indexOf, 16 characters
 * compared, 2 characters searched by indexOf, or 4 characters, 1/4 element or
 * 1/16 nested array converted to a string or number.
 */

/** Comparing a string with another (memcmp-like). */
export function compareCost(s: string): number {
  return s.length >>> 4;
}

/** Searching a string with indexOf: linear, but a few ns a character at worst. */
export function searchCost(s: string): number {
  return s.length >>> 1;
}

/** Scanning an array with indexOf (strict equality): about a nanosecond an element, more for equal-length strings. */
export function scanCost(array: readonly unknown[], needle: unknown): number {
  const units = 1 + (array.length >>> 2);
  return typeof needle === 'string' ? units * (1 + compareCost(needle)) : units;
}

/**
 * Converting a value to a string or a number, as relational operators and a
 * string's indexOf do: an array is joined with its nested arrays (slow in V8,
 * tens of ns an element), a string parsed. Numbers, booleans, null and plain
 * objects ("[object Object]") cost nothing.
 */
export function conversionCost(x: unknown, m: Meter): number {
  if (typeof x === 'string') return x.length >>> 2;
  return Array.isArray(x) ? joinCost(x, m) : 0;
}

const ELEMENT_UNITS = 4;
const NESTED_ARRAY_UNITS = 16;

/** Memoized per evaluation, so converting the same array in every comparison of a decorator costs one walk. */
function joinCost(root: readonly unknown[], m: Meter): number {
  const weights = (m.weights ??= new WeakMap());
  const known = weights.get(root);
  if (known !== undefined) return known;
  // Iterative: fact arrays can nest as deep as the request allowed.
  let total = 0;
  const stack: (readonly unknown[])[] = [root];
  while (stack.length > 0) {
    const array = stack.pop() as readonly unknown[];
    const memo = weights.get(array);
    if (memo !== undefined) {
      total += memo;
      continue;
    }
    total += NESTED_ARRAY_UNITS + array.length * ELEMENT_UNITS;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (typeof item === 'string') total += item.length >>> 2;
      else if (Array.isArray(item)) stack.push(item);
    }
  }
  weights.set(root, total);
  return total;
}

/** For callers outside an evaluation (tests, tools): a meter that never runs out. */
export function unlimitedMeter(): Meter {
  return { spent: 0, limit: Number.POSITIVE_INFINITY, weights: null };
}
