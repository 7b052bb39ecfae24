import * as v from 'valibot';
import type { ProgramSettings } from '../../plugins/types.ts';

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

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
});

/** Fills defaults, so stored settings always read complete. */
export function normalizeSettings(stored: unknown): ProgramSettings {
  return v.parse(ProgramSettingsSchema, stored ?? {}) as ProgramSettings;
}
