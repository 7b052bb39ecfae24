import * as v from 'valibot';

// Facts about the past (json-rules-engine's dynamic facts with `params`):
// counts of the participant's events, referrals and rewards, and sums of a
// number in their events' data, optionally in a window of days before the
// event. The runtime computes each distinct (fact, params) once per
// evaluation by an indexed query, only when a rule names it; at most
// MAX_HISTORY_FACTS distinct ones per ruleset, so an evaluation's statements
// stay bounded.

export const HISTORY_FACT_NAMES = ['eventCount', 'eventSum', 'referralCount', 'rewardTotal'] as const;
export type HistoryFactName = (typeof HISTORY_FACT_NAMES)[number];
export const MAX_HISTORY_FACTS = 5;

/**
 * eventSum adds a number from the participant's newest events of the type
 * (in the window), at most this many of them and at most this much of their
 * data together: the database parses each payload (up to 1 MiB), so these,
 * not the tenant, bound an evaluation's cost.
 */
export const EVENT_SUM_MAX_EVENTS = 1000;
export const EVENT_SUM_MAX_BYTES = 8 * 1024 * 1024;

/** eventSum's `path`: dotted names into the event's data, no indexes or wildcards (the same lookup on every dialect). */
export const EVENT_SUM_PATH_SEGMENTS = 8;
const SEGMENT = '[A-Za-z0-9_]{1,64}';
const PATH_PATTERN = new RegExp(`^${SEGMENT}(\\.${SEGMENT}){0,${EVENT_SUM_PATH_SEGMENTS - 1}}$`);
const eventSumPath = v.pipe(
  v.string('path must be a string'),
  v.minLength(1, 'path must not be empty'),
  v.maxLength(EVENT_SUM_PATH_SEGMENTS * 65, `path must be at most ${EVENT_SUM_PATH_SEGMENTS} names of at most 64 characters`),
  v.check((p) => p.split('.').length <= EVENT_SUM_PATH_SEGMENTS, `path must have at most ${EVENT_SUM_PATH_SEGMENTS} names`),
  v.regex(PATH_PATTERN, 'path must be names of letters, digits and _ (at most 64 each) joined by dots, like "order.total"'),
  v.description('names below the event\'s data joined by dots, like "order.total"'),
);

/** The names along an eventSum path (validated: safe to bind as a JSON path). */
export function pathSegments(path: string): string[] {
  return path.split('.');
}

const days = v.optional(v.pipe(v.number('days must be a number'), v.integer('days must be an integer'), v.minValue(1, 'days must be >= 1'), v.maxValue(3650, 'days must be <= 3650')));

const type = v.pipe(v.string('type must be a string'), v.minLength(1, 'type must not be empty'), v.maxLength(100));

/** Each history fact's params, as validation checks them (and the rules JSON Schema restates them). */
export const HISTORY_PARAMS = {
  eventCount: v.strictObject({ type: v.optional(type), days }),
  eventSum: v.strictObject({ type, path: eventSumPath, days }),
  referralCount: v.strictObject({ converted: v.optional(v.boolean('converted must be true or false')), days }),
  rewardTotal: v.strictObject({
    kind: v.optional(v.picklist(['cash', 'credit', 'percent_discount', 'gift_card'], 'kind must be cash, credit, percent_discount or gift_card')),
    currency: v.optional(v.pipe(v.string('currency must be a string'), v.regex(/^[A-Z]{3}$/, 'currency must be a currency code like "USD"'))),
    days,
  }),
} as const;

export type HistoryQuery =
  | { fact: 'eventCount'; params: { type?: string; days?: number } }
  | { fact: 'eventSum'; params: { type: string; path: string; days?: number } }
  | { fact: 'referralCount'; params: { converted?: boolean; days?: number } }
  | { fact: 'rewardTotal'; params: { kind?: string; currency?: string; days?: number } };

export function isHistoryFact(name: unknown): name is HistoryFactName {
  return typeof name === 'string' && (HISTORY_FACT_NAMES as readonly string[]).includes(name);
}

/** The first problem with a history fact's params, with its pointer below `params` ('' for params itself); null when they are fine. */
export function historyParamsProblem(fact: HistoryFactName, params: unknown): { pointer: string; message: string } | null {
  const result = v.safeParse(HISTORY_PARAMS[fact], params ?? {});
  if (result.success) return null;
  const issue = result.issues[0];
  const keys = (issue.path ?? []).map((p) => String(p.key));
  // A strict object reports a missing required param and an unknown one alike: the input tells them apart.
  const missing = issue.type === 'strict_object' && keys.length > 0 && issue.input === undefined;
  const message = missing
    ? `${fact} needs the param "${keys[0]}"`
    : issue.type === 'strict_object' && keys.length > 0
      ? `${fact} has no param "${keys[0]}"`
      : issue.type === 'strict_object'
        ? `params of ${fact} must be an object`
        : issue.message;
  return { pointer: keys.map((k) => `/${k}`).join(''), message };
}

/**
 * Where a leaf's fact sits among an evaluation's facts: its name, or for a
 * history fact its name and its params in a canonical form, so two leaves
 * asking the same question share one value (and one query).
 */
export function factKey(fact: string, params?: unknown): string {
  if (!isHistoryFact(fact)) return fact;
  const p = (params ?? {}) as Record<string, unknown>;
  return `${fact}:${JSON.stringify(Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]])))}`;
}

/** The question behind a history fact's key; null for any other fact. */
export function historyQueryOf(key: string): HistoryQuery | null {
  const at = key.indexOf(':');
  if (at < 0) return null;
  const fact = key.slice(0, at);
  if (!isHistoryFact(fact)) return null;
  return { fact, params: JSON.parse(key.slice(at + 1)) } as HistoryQuery;
}
