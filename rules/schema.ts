import * as v from 'valibot';
import { FACT_NAMES, type FactName } from './facts.ts';
import { HISTORY_FACT_NAMES, type HistoryFactName } from './history-facts.ts';
import { parsePath } from './path.ts';

export const MAX_DEPTH = 10;
export const MAX_RULES = 500;
export const MAX_NAMED_CONDITIONS = 500;
/** Major units; ×100 it still fits a 32-bit integer column (PostgreSQL's `integer` holds 2,147,483,647). */
export const MAX_REWARD_AMOUNT = 10_000_000;
export const RECIPIENTS = ['participant', 'referrer'] as const;
export const REWARD_KINDS = ['cash', 'credit', 'percent_discount', 'gift_card'] as const;
export const TEMPLATE_KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A `value` that reads another fact (fact-to-fact comparison). */
export type FactRef = { fact: FactName; path?: string };

/** `params` only for a history fact (history-facts.ts), as json-rules-engine passes them to a dynamic fact. */
export type LeafCondition = { fact: FactName | HistoryFactName; operator: string; value: JsonValue | FactRef; path?: string; params?: Record<string, unknown>; priority?: number };
export type AllCondition = { all: Condition[]; priority?: number };
export type AnyCondition = { any: Condition[]; priority?: number };
export type NotCondition = { not: Condition; priority?: number };
export type ConditionReference = { condition: string; priority?: number };
export type TopCondition = AllCondition | AnyCondition | NotCondition | ConditionReference;
export type Condition = TopCondition | LeafCondition;

export type Recipient = (typeof RECIPIENTS)[number];
export type RewardKind = (typeof REWARD_KINDS)[number];
export type RewardAction = {
  type: 'reward';
  params: { kind: RewardKind; amount: number; currency: string; to: Recipient; description?: string; holdDays?: number; expiresInDays?: number; taxableValue?: number };
};
/** Cancels the rewards an earlier event of the program created (a refund): the event's id is read from this event's data. */
export type CancelRewardsAction = { type: 'cancel-rewards'; params: { eventIdPath: string; reason: string } };
export type EmailAction = { type: 'email'; params: { template: string; to: Recipient; data?: { [key: string]: JsonValue } } };
export type Action = RewardAction | EmailAction | CancelRewardsAction;

export type Rule = { name: string; priority: number; conditions: TopCondition; event: Action };
export type Ruleset = { rules: Rule[]; conditions?: Record<string, TopCondition> };

/** A short description of a received value for messages. */
export function show(input: unknown): string {
  if (Array.isArray(input)) return 'an array';
  if (input !== null && typeof input === 'object') return 'an object';
  const text = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const fail = (message: string) => v.custom<never>(() => false, message);

// The reference parseInt()s priorities, which misreads numbers from 1e21 up (printed in exponent form).
const priorityNumber = v.pipe(
  v.number('priority must be a number'),
  v.integer('priority must be an integer'),
  v.minValue(1, 'priority must be >= 1'),
  v.maxValue(Number.MAX_SAFE_INTEGER, 'priority is too large'),
);
const priority = v.optional(priorityNumber);

const factName = v.picklist(FACT_NAMES, (issue) => `unknown fact ${show(issue.input)}; expected one of ${FACT_NAMES.join(', ')}`);
const pathString = v.string('path must be a string');

const factRef = v.strictObject({ fact: factName, path: v.optional(pathString) });

/** json-rules-engine treats any object value owning a "fact" key as a fact reference. */
export const isFactRef = (value: unknown): value is FactRef => isPlainObject(value) && Object.hasOwn(value, 'fact');

// Constants are checked (JSON, hostile keys, arrays where needed) after parsing, where the pointer is known.
const leafValue = v.lazy((input) => (isFactRef(input) ? factRef : v.unknown()));

const LEAF_FACTS = [...FACT_NAMES, ...HISTORY_FACT_NAMES] as const;
const leafFact = v.picklist(LEAF_FACTS, (issue) => `unknown fact ${show(issue.input)}; expected one of ${LEAF_FACTS.join(', ')}`);

const leaf = v.strictObject({
  fact: leafFact,
  operator: v.string('operator must be a string'),
  value: leafValue,
  path: v.optional(pathString),
  // Checked against the fact in validate-conditions.ts, where the pointer is known.
  params: v.optional(v.record(v.string(), v.unknown(), 'params must be an object')),
  priority,
});

export const BOOLEAN_KEYS = ['all', 'any', 'not', 'condition'] as const;

type ConditionSchema = v.GenericSchema<unknown, Condition>;

const condition: ConditionSchema = v.lazy((input) => pickCondition(input, false));
export const topCondition = v.lazy((input) => pickCondition(input, true)) as v.GenericSchema<unknown, TopCondition>;

const BRANCHES: Record<(typeof BOOLEAN_KEYS)[number], ConditionSchema> = {
  all: v.strictObject({ all: v.array(condition, '"all" must be an array of conditions'), priority }),
  any: v.strictObject({ any: v.array(condition, '"any" must be an array of conditions'), priority }),
  not: v.strictObject({ not: condition, priority }),
  condition: v.strictObject({
    condition: v.pipe(v.string('"condition" must be the name of a shared condition'), v.minLength(1, '"condition" must not be empty')),
    priority,
  }),
};

// Picking the schema by the key present (instead of a union) keeps issues pointing inside the branch that was meant.
function pickCondition(input: unknown, top: boolean): ConditionSchema {
  if (!isPlainObject(input)) return fail('a condition must be an object');
  const present = BOOLEAN_KEYS.filter((key) => Object.hasOwn(input, key));
  if (present.length > 1) {
    return fail(`a condition has exactly one of "all", "any", "not", "condition"; this one has ${present.map((k) => `"${k}"`).join(' and ')}`);
  }
  if (present.length === 1) return BRANCHES[present[0]];
  return top ? fail('the root condition must be "all", "any", "not" or a "condition" reference') : (leaf as ConditionSchema);
}

const recipient = v.optional(v.picklist(RECIPIENTS, (issue) => `"to" must be "participant" or "referrer", not ${show(issue.input)}`), 'participant');

/** At most two decimals, judged on the shortest decimal form JS prints for the number. */
const hasAtMostTwoDecimals = (n: number): boolean => /^\d+(\.\d{1,2})?$/.test(String(n));

const rewardAction = v.strictObject({
  type: v.literal('reward'),
  params: v.pipe(
    v.strictObject({
      kind: v.picklist(REWARD_KINDS, (issue) => `unknown reward kind ${show(issue.input)}; expected one of ${REWARD_KINDS.join(', ')}`),
      amount: v.pipe(
        v.number('amount must be a number'),
        v.check((n) => Number.isFinite(n) && n > 0, 'amount must be greater than 0'),
        v.check((n) => n <= MAX_REWARD_AMOUNT, `amount must be at most ${MAX_REWARD_AMOUNT}`),
        v.check(hasAtMostTwoDecimals, 'amount must have at most 2 decimals'),
      ),
      currency: v.optional(v.pipe(v.string('currency must be a string'), v.regex(/^[A-Z]{3}$/, 'currency must be 3 upper-case letters')), 'USD'),
      to: recipient,
      description: v.optional(v.pipe(v.string('description must be a string'), v.maxLength(500, 'description must be at most 500 characters'))),
      taxableValue: v.optional(
        v.pipe(
          v.number('taxableValue must be a number'),
          v.check((n) => Number.isFinite(n) && n >= 0 && n <= 1e12, 'taxableValue must be between 0 and 1000000000000'),
          v.check(hasAtMostTwoDecimals, 'taxableValue must have at most 2 decimals'),
        ),
      ),
      holdDays: v.optional(v.pipe(v.number('holdDays must be a number'), v.integer('holdDays must be a whole number of days'), v.minValue(0, 'holdDays must be >= 0'), v.maxValue(3650, 'holdDays must be at most 3650'))),
      expiresInDays: v.optional(
        v.pipe(v.number('expiresInDays must be a number'), v.integer('expiresInDays must be a whole number of days'), v.minValue(1, 'expiresInDays must be >= 1'), v.maxValue(3650, 'expiresInDays must be at most 3650')),
      ),
    }),
    v.forward(
      v.check((p) => p.kind !== 'percent_discount' || p.amount <= 100, 'a percent_discount amount must be at most 100'),
      ['amount'],
    ),
    // Cash counts toward the W-9 total by its amount; a taxable value is for the other kinds.
    v.forward(
      v.check((p) => p.kind !== 'cash' || p.taxableValue === undefined, 'taxableValue is for non-cash rewards (cash counts by its amount)'),
      ['taxableValue'],
    ),
  ),
});

const emailAction = v.strictObject({
  type: v.literal('email'),
  params: v.strictObject({
    template: v.pipe(v.string('template must be a string'), v.regex(TEMPLATE_KEY, 'template must be a key like "welcome-email" (a-z, 0-9, -)')),
    to: recipient,
    // Kept by reference (no copy) so the JSON and hostile-key checks see exactly what was sent.
    data: v.optional(v.custom<{ [key: string]: JsonValue }>(isPlainObject, 'data must be an object')),
  }),
});

const cancelRewardsAction = v.strictObject({
  type: v.literal('cancel-rewards'),
  params: v.strictObject({
    // A path into the event's data, like "$.originalEventId"; checked for hostile segments with the other paths.
    eventIdPath: v.pipe(v.string('eventIdPath must be a string'), v.minLength(1, 'eventIdPath must not be empty'), v.check((p) => parsePath(p) !== null, 'eventIdPath must be a path into the event data like "$.originalEventId"')),
    reason: v.pipe(v.string('reason must be a string'), v.minLength(1, 'reason must not be empty'), v.maxLength(200, 'reason must be at most 200 characters')),
  }),
});

export const action = v.variant('type', [rewardAction, emailAction, cancelRewardsAction], (issue) =>
  issue.expected === 'Object'
    ? '"event" must be an object like {"type": "reward", "params": {...}}'
    : `unknown action type ${show(issue.input)}; expected "reward", "email" or "cancel-rewards"`,
);

export const rule = v.strictObject({
  name: v.pipe(v.string('rule name must be a string'), v.minLength(1, 'rule name must not be empty'), v.maxLength(120, 'rule name must be at most 120 characters')),
  priority: v.optional(priorityNumber, 1),
  conditions: topCondition,
  event: action,
}) as v.GenericSchema<unknown, Rule>;

/** The document shell; rules and shared conditions are parsed one by one so each reports its own issues. */
export const shell = v.strictObject({
  // Lets a file name its JSON Schema (/schemas/rules.json) for editors; not stored.
  $schema: v.optional(v.string('"$schema" must be a string')),
  rules: v.array(v.unknown(), '"rules" must be an array'),
  conditions: v.optional(v.custom<Record<string, unknown>>(isPlainObject, '"conditions" must be an object of named conditions')),
});

export const conditionName = v.pipe(
  v.string(),
  v.minLength(1, 'a condition name must not be empty'),
  v.maxLength(120, 'a condition name must be at most 120 characters'),
);
