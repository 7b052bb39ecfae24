import * as v from 'valibot';
import type { ProgramSettings } from '../../plugins/types.ts';
import { createLru } from '../lru.ts';
import { CHECK_OUTCOMES } from '../../plugins/referral-checks/types.ts';

// Building an Intl formatter is the costly part of the check: remember the
// zones that passed (a bounded set, since zone names are case-insensitive).
const knownZones = new Set<string>();
const isTimeZone = (tz: string) => {
  if (knownZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    if (knownZones.size < 1000) knownZones.add(tz);
    return true;
  } catch {
    return false;
  }
};

/**
 * A cap on the rewards a participant, a referrer or the whole program earns
 * in a period, by count or by amount in one currency, optionally of one kind.
 * Checked when an event's rewards are written (runtime/services/reward-limits.ts).
 */
export const RewardLimitSchema = v.pipe(
  v.strictObject({
    name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-"')),
    scope: v.picklist(['participant', 'referrer', 'program'], 'must be "participant", "referrer" or "program"'),
    measure: v.picklist(['count', 'amount'], 'must be "count" or "amount"'),
    currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be a currency code'))),
    kind: v.optional(v.picklist(['cash', 'credit', 'percent_discount', 'gift_card'], 'must be a reward kind')),
    period: v.picklist(['day', 'week', 'month', 'year', 'lifetime', 'rolling'], 'must be day, week, month, year, lifetime or rolling'),
    days: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
    max: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
  }),
  v.forward(v.check((l) => (l.measure === 'amount') === (l.currency !== undefined), 'an amount limit needs a currency; a count limit has none'), ['currency']),
  v.forward(v.check((l) => (l.period === 'rolling') === (l.days !== undefined), 'a rolling period needs days; a calendar one has none'), ['days']),
);

const Outcome = v.optional(v.picklist(CHECK_OUTCOMES, 'must be "allow", "review" or "deny"'), 'allow');
const Check = v.optional(v.strictObject({ outcome: Outcome }), {});

/**
 * What each referral check (plugins/referral-checks/) does when it flags a
 * referral: `allow` records the flag (rules read it), `review` writes the
 * referrer's reward pending for review, `deny` writes none. Every check
 * allows by default, so a program opts in.
 */
export const ReferralChecksSchema = v.optional(
  v.strictObject({
    selfReferral: Check,
    cycle: Check,
    // impact.com's default: more than 3 new referrals in 30 minutes.
    rate: v.optional(
      v.strictObject({
        outcome: Outcome,
        count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)), 3),
        windowMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(43_200)), 30),
      }),
      {},
    ),
    disposableEmail: Check,
    blocked: Check,
  }),
  {},
);

export const ProgramSettingsSchema = v.strictObject({
  w9ThresholdCents: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  taxThresholds: v.optional(
    v.pipe(
      v.record(v.pipe(v.string(), v.regex(/^(19|20|21)\d\d$/, 'must be a year like "2027"')), v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))),
      v.check((r) => Object.keys(r).length <= 200, 'at most 200 years'),
    ),
    {},
  ),
  w9Hold: v.optional(v.boolean()),
  holdDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3650))),
  expiresInDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
  timeZone: v.optional(v.pipe(v.string(), v.check(isTimeZone, 'must be an IANA time zone, e.g. America/New_York')), 'UTC'),
  usdRates: v.optional(
    v.record(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be a currency code')), v.pipe(v.number(), v.gtValue(0))),
    {},
  ),
  payoutReminder: v.optional(
    v.strictObject({
      everyDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(365)), 7),
      maxReminders: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(50)), 3),
    }),
    {},
  ),
  verificationTtlHours: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(720)), 24),
  passwordResetTtlMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(1440)), 60),
  w9FormUrl: v.optional(v.pipe(v.string(), v.url())),
  payoutDetailsUrl: v.optional(v.pipe(v.string(), v.url())),
  // Each limit costs a statement per event that pays a reward: bounded.
  limits: v.optional(
    v.pipe(
      v.array(RewardLimitSchema),
      v.maxLength(10, 'at most 10 limits'),
      v.check((ls) => new Set(ls.map((l) => l.name)).size === ls.length, 'limit names must be unique'),
    ),
    [],
  ),
  referralChecks: ReferralChecksSchema,
});

/** Fills defaults, so stored settings always read complete. */
export function normalizeSettings(stored: unknown): ProgramSettings {
  return v.parse(ProgramSettingsSchema, stored ?? {}) as ProgramSettings;
}

// Parsing the stored settings (an Intl formatter per time-zone check among
// it) costs far more than an event's own work; the stored text is the key, so
// an edit on any instance is a new key and nothing needs invalidating.
const parsed = createLru<string, ProgramSettings>(1000);

/** The settings of a stored program row, parsed once per distinct text; frozen, because every event of the program shares them. */
export function settingsFromText(text: string): ProgramSettings {
  return parsed.get(text) ?? parsed.set(text, deepFreeze(normalizeSettings(JSON.parse(text))));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
