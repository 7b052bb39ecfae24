import * as v from 'valibot';

// Facts about the past (json-rules-engine's dynamic facts with `params`):
// counts of the participant's events, referrals and rewards, optionally in a
// window of days before the event. The runtime computes each distinct
// (fact, params) once per evaluation by an indexed query, only when a rule
// names it; at most MAX_HISTORY_FACTS distinct ones per ruleset, so an
// evaluation's statements stay bounded.

export const HISTORY_FACT_NAMES = ['eventCount', 'referralCount', 'rewardTotal'] as const;
export type HistoryFactName = (typeof HISTORY_FACT_NAMES)[number];
export const MAX_HISTORY_FACTS = 5;

const days = v.optional(v.pipe(v.number('days must be a number'), v.integer('days must be an integer'), v.minValue(1, 'days must be >= 1'), v.maxValue(3650, 'days must be <= 3650')));

const PARAMS = {
  eventCount: v.strictObject({ type: v.optional(v.pipe(v.string('type must be a string'), v.minLength(1, 'type must not be empty'), v.maxLength(100))), days }),
  referralCount: v.strictObject({ converted: v.optional(v.boolean('converted must be true or false')), days }),
  rewardTotal: v.strictObject({
    kind: v.optional(v.picklist(['cash', 'credit', 'percent_discount', 'gift_card'], 'kind must be cash, credit, percent_discount or gift_card')),
    currency: v.optional(v.pipe(v.string('currency must be a string'), v.regex(/^[A-Z]{3}$/, 'currency must be a currency code like "USD"'))),
    days,
  }),
} as const;

export type HistoryQuery =
  | { fact: 'eventCount'; params: { type?: string; days?: number } }
  | { fact: 'referralCount'; params: { converted?: boolean; days?: number } }
  | { fact: 'rewardTotal'; params: { kind?: string; currency?: string; days?: number } };

export function isHistoryFact(name: unknown): name is HistoryFactName {
  return typeof name === 'string' && (HISTORY_FACT_NAMES as readonly string[]).includes(name);
}

/** The first problem with a history fact's params, with its pointer below `params` ('' for params itself); null when they are fine. */
export function historyParamsProblem(fact: HistoryFactName, params: unknown): { pointer: string; message: string } | null {
  const result = v.safeParse(PARAMS[fact], params ?? {});
  if (result.success) return null;
  const issue = result.issues[0];
  const keys = (issue.path ?? []).map((p) => String(p.key));
  const message = issue.type === 'strict_object' && keys.length > 0 ? `${fact} has no param "${keys[0]}"` : issue.type === 'strict_object' ? `params of ${fact} must be an object` : issue.message;
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
