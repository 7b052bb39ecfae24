import * as v from 'valibot';
import { ERROR_STATUS } from '../errors.ts';

// The shapes of what the API answers, as valibot schemas: the OpenAPI document
// is generated from them and a test validates recorded responses against it,
// so a view that drifts from its description fails there (services/views.ts
// builds the objects these describe).

const str = v.string();
const nstr = v.nullable(v.string());
const time = v.pipe(v.string(), v.isoTimestamp());
const ntime = v.nullable(time);

export const ErrorDetailShape = v.strictObject({
  pointer: v.pipe(v.string(), v.description('RFC 6901 JSON pointer into the request (body, query or path parameter)')),
  message: v.pipe(v.string(), v.description('what is wrong, written for people')),
});

export const ErrorShape = v.pipe(
  v.strictObject({
    error: v.object({
      code: v.picklist(Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[]),
      message: v.string(),
      details: v.array(ErrorDetailShape),
      reason: v.optional(v.pipe(v.string(), v.description('smtp_refused, smtp_unreachable: why, as a word a program can branch on (auth_failed, wrong_security_for_port, …)'))),
      retryAfterSeconds: v.optional(v.pipe(v.number(), v.description('rate_limited: when to try again (also the Retry-After header)'))),
      response: v.optional(v.pipe(v.string(), v.description("smtp_unreachable from a test email: the server's answer"))),
      requestId: v.optional(v.pipe(v.string(), v.description('internal: quote it when reporting the problem'))),
      allowed: v.optional(v.pipe(v.array(v.string()), v.description('method_not_allowed: the methods this path answers (also the Allow header)'))),
    }),
  }),
  v.description('Every error. `details` is always a list of {pointer, message}; extra context (e.g. `retryAfterSeconds`, `smtp`) sits in other fields of `error`.'),
);

export const SettingsShape = v.object({
  w9ThresholdCents: v.number(),
  timeZone: v.string(),
  usdRates: v.record(v.string(), v.number()),
  payoutReminder: v.object({ everyDays: v.number(), maxReminders: v.number() }),
  verificationTtlHours: v.number(),
  passwordResetTtlMinutes: v.number(),
  w9FormUrl: v.optional(v.string()),
  payoutDetailsUrl: v.optional(v.string()),
});

export const ProgramShape = v.strictObject({ id: str, name: str, settings: SettingsShape, activeVersion: v.nullable(v.number()), createdAt: time });

export const ParticipantViewShape = v.strictObject({
  id: str,
  email: str,
  firstName: nstr,
  lastName: nstr,
  locale: nstr,
  countryCode: nstr,
  referredBy: nstr,
  w9OnFile: v.boolean(),
  payoutInfoComplete: v.boolean(),
  emailVerified: v.boolean(),
  createdAt: time,
});

export const ParticipantShape = v.strictObject({
  ...ParticipantViewShape.entries,
  w9OnFileAt: ntime,
  payoutInfoCompletedAt: ntime,
  emailVerifiedAt: ntime,
  passwordSet: v.boolean(),
  updatedAt: time,
});

export const StatsShape = v.object({
  rewardCount: v.number(),
  referralCount: v.number(),
  taxYear: v.number(),
  cashRewardsThisYear: v.pipe(v.number(), v.description('USD cents of cash rewards in the current tax year')),
  excludedCurrencies: v.array(v.string()),
  pendingPayoutCents: v.number(),
  w9Required: v.boolean(),
});

export const ParticipantWithStatsShape = v.strictObject({ ...ParticipantShape.entries, stats: StatsShape });

export const RewardShape = v.strictObject({
  id: str,
  programId: str,
  eventId: str,
  rule: str,
  participantId: str,
  kind: v.picklist(['cash', 'credit', 'percent_discount', 'gift_card']),
  amount: v.pipe(v.number(), v.description('major units (amountMinor / 100)')),
  amountMinor: v.pipe(v.number(), v.integer(), v.description('integer minor units')),
  currency: str,
  description: nstr,
  status: str,
  occurredAt: time,
  createdAt: time,
});

export const EmailShape = v.strictObject({
  id: str,
  type: str,
  template: nstr,
  to: str,
  subject: str,
  status: v.picklist(['queued', 'sending', 'sent', 'failed', 'suppressed']),
  attempts: v.number(),
  participantId: nstr,
  programId: nstr,
  lastResponse: nstr,
  nextAttemptAt: ntime,
  messageId: nstr,
  sender: nstr,
  createdAt: time,
  updatedAt: time,
  sentAt: ntime,
});

export const EmailDetailShape = v.strictObject({ ...EmailShape.entries, html: str, text: str });

export const EventResultShape = v.strictObject({
  event: v.strictObject({ id: str, programId: str, type: str, participantId: str, occurredAt: time }),
  fired: v.array(v.object({ rule: str, action: str, skipped: v.optional(str) })),
  rewards: v.array(RewardShape),
  emails: v.array(EmailShape),
});

/** Pages of a list: newest first; pass `next` back as `before` for the following page (null on the last). */
export const NextShape = v.pipe(v.nullable(v.string()), v.description('cursor for the next page (pass it as `before`); null on the last page'));

/** The rules documents have their own JSON Schema (`/schemas/rules.json`); here they stay open. */
export const RuleVersionShape = v.looseObject({
  version: v.nullable(v.number()),
  active: v.boolean(),
  createdAt: v.optional(time),
  rules: v.array(v.looseObject({ name: str })),
  conditions: v.optional(v.record(v.string(), v.unknown())),
});

export const EventShape = v.strictObject({
  id: str,
  programId: str,
  type: str,
  participantId: str,
  data: v.record(v.string(), v.unknown()),
  occurredAt: time,
  createdAt: time,
  processed: v.boolean(),
});

export const StatusMessageShape = v.object({ status: str, message: v.optional(str) });
export const AnyObject = v.looseObject({});
