import * as v from 'valibot';
import { CHECK_NAMES, CHECK_OUTCOMES } from '../../plugins/referral-checks/types.ts';
import { ERROR_STATUS } from '../errors.ts';
import { PENDING_REASONS, REWARD_STATUSES } from '../../plugins/rewards/reward-state.ts';
import { REWARD_KINDS } from '../../rules/schema.ts';
import { WEBHOOK_EVENT_TYPES } from '../../plugins/webhooks/event-types.ts';
import { RewardLimitSchema } from '../services/program-settings.ts';

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

const CheckOutcomeShape = v.picklist(CHECK_OUTCOMES);

export const SettingsShape = v.object({
  w9ThresholdCents: v.optional(v.pipe(v.number(), v.description('the older single threshold ("more than", USD cents) for every year'))),
  taxThresholds: v.pipe(v.record(v.string(), v.number()), v.description('per tax year ("2027"), the smallest reportable total in USD cents; overrides the built-in table')),
  w9Hold: v.optional(v.pipe(v.boolean(), v.description('cash past the W-9 threshold stays pending (`w9_required`) until the W-9 is on file'))),
  holdDays: v.optional(v.pipe(v.number(), v.description('default days a reward is held before it is available'))),
  expiresInDays: v.optional(v.pipe(v.number(), v.description('default days a reward stays available before it expires'))),
  timeZone: v.string(),
  usdRates: v.record(v.string(), v.number()),
  payoutReminder: v.object({ everyDays: v.number(), maxReminders: v.number() }),
  verificationTtlHours: v.number(),
  passwordResetTtlMinutes: v.number(),
  w9FormUrl: v.optional(v.string()),
  payoutDetailsUrl: v.optional(v.string()),
  limits: v.pipe(v.array(RewardLimitSchema), v.description('caps on rewards per participant, referrer or program in a period (a reward past one is not created: `skipped: "limit:<name>"`)')),
  referralChecks: v.pipe(
    v.strictObject({
      selfReferral: v.strictObject({ outcome: CheckOutcomeShape }),
      cycle: v.strictObject({ outcome: CheckOutcomeShape }),
      rate: v.strictObject({
        outcome: CheckOutcomeShape,
        count: v.pipe(v.number(), v.description('more than this many new referrals by one referrer within the window is flagged (default 3)')),
        windowMinutes: v.pipe(v.number(), v.description('the window, in minutes (default 30)')),
      }),
      disposableEmail: v.strictObject({ outcome: CheckOutcomeShape }),
      blocked: v.strictObject({ outcome: CheckOutcomeShape }),
    }),
    v.description('what each referral check does when it flags a referral: `allow` records the flag (rules read `participant.referralFlags`), `review` writes the referrer\'s reward pending (`review`) with the flags, `deny` writes none (`skipped: "check:<name>"`); all `allow` by default'),
  ),
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
  unsubscribed: v.pipe(v.boolean(), v.description('unsubscribed from email-action emails (rewards and account emails still come)')),
  referralFlags: v.pipe(v.array(v.picklist(CHECK_NAMES)), v.description('the referral checks this participant’s referral raised when last written with `referredBy` (rules read `participant.referralFlags`)')),
  createdAt: time,
});

export const ParticipantShape = v.strictObject({
  ...ParticipantViewShape.entries,
  w9OnFileAt: ntime,
  payoutInfoCompletedAt: ntime,
  emailVerifiedAt: ntime,
  unsubscribedAt: ntime,
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

const PendingReasonShape = v.picklist(PENDING_REASONS);

export const RewardHistoryShape = v.strictObject({
  at: time,
  from: v.nullable(v.picklist(REWARD_STATUSES)),
  to: v.picklist(REWARD_STATUSES),
  pendingReasons: v.array(PendingReasonShape),
  reason: v.pipe(v.string(), v.description('what moved it: created, hold_ended, redeemed, cancelled, expired, review_approved, review_denied, …')),
  actor: v.picklist(['api', 'scheduler', 'rule']),
  amountMinor: v.pipe(v.nullable(v.number()), v.description('the value a redemption, expiry or cancellation moved')),
  note: v.pipe(nstr, v.description("a reviewer's note with an approval or denial")),
});

export const RewardShape = v.pipe(
  v.strictObject({
    id: str,
    programId: str,
    eventId: str,
    rule: str,
    participantId: str,
    kind: v.picklist(REWARD_KINDS),
    amount: v.pipe(v.number(), v.description('major units (amountMinor / 100)')),
    amountMinor: v.pipe(v.number(), v.integer(), v.description('integer minor units')),
    remainingAmount: v.pipe(v.number(), v.description('major units not yet redeemed (remainingMinor / 100)')),
    remainingMinor: v.pipe(v.number(), v.integer(), v.description('integer minor units not yet redeemed: what expires or is cancelled')),
    currency: str,
    description: nstr,
    taxableValueMinor: v.pipe(v.nullable(v.number()), v.description("a non-cash reward's USD cents that count toward the W-9 total")),
    status: v.picklist(REWARD_STATUSES),
    pendingReasons: v.pipe(v.array(PendingReasonShape), v.description('why a `pending` reward waits; empty otherwise')),
    holdUntil: v.pipe(ntime, v.description('while in the future, the reward is held (reason `hold`)')),
    expiresAt: ntime,
    occurredAt: time,
    createdAt: time,
    history: v.optional(v.pipe(v.array(RewardHistoryShape), v.description('its transitions, oldest first (single rewards and participant reward lists)'))),
  }),
  v.description('A reward: `pending` while any reason holds it, `available` once none does, then `redeemed`, `cancelled` or `expired` (final).'),
);

export const ReviewFlagShape = v.strictObject({
  check: v.pipe(v.picklist(CHECK_NAMES), v.description('the referral check that flagged the reward')),
  detail: v.pipe(str, v.description('what it found, in words')),
});

export const ReviewShape = v.pipe(
  v.strictObject({ ...RewardShape.pipe[0].entries, reviewFlags: v.pipe(v.array(ReviewFlagShape), v.description('the checks that sent it to review (kept after the decision)')) }),
  v.description('A reward in the review queue, or just decided: the reward and its flags.'),
);

export const ReviewOutcomeShape = v.union([
  v.strictObject({ rewardId: str, status: v.literal(200), reward: ReviewShape }),
  v.strictObject({ rewardId: str, status: v.number(), error: ErrorShape.pipe[0].entries.error }),
]);

export const RewardReceiptShape = v.strictObject({
  rewardId: str,
  programId: str,
  eventId: str,
  occurredAt: time,
  event: v.nullable(v.strictObject({ type: str, data: v.unknown() })),
  rule: str,
  ruleVersion: v.nullable(v.number()),
  ruleContentHash: nstr,
  trace: v.pipe(v.unknown(), v.description('the conditions that passed when it fired, with the values they compared (large ones summarised)')),
  conditions: v.pipe(v.unknown(), v.description("the rule's conditions in that version; null when the version is gone")),
  action: v.pipe(v.unknown(), v.description("the rule's event (action) in that version")),
  reviewFlags: v.pipe(v.array(ReviewFlagShape), v.description('the referral checks that sent it to review; empty when none did')),
});

export const ClawbackShape = v.strictObject({ rewardId: str, eventId: str, participantId: str, redeemedAmountMinor: v.number(), currency: str, reason: str });

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
  fired: v.array(v.object({ rule: str, action: str, skipped: v.optional(v.pipe(v.string(), v.description('why the action did nothing: `limit:<name>` (a program limit), `check:<name>` (a referral check denied the referrer\'s reward), or the action\'s own reason'))) })),
  rewards: v.array(RewardShape),
  emails: v.pipe(v.array(EmailShape), v.description('the emails the event put in the outbox as it accepted them, also in a replay: `status: queued` with `attempts: 0` even when the dispatcher has one on its way already (`failed` for a template that did not render); `GET /v1/emails/{emailId}` tells where each one is')),
  cancelledRewards: v.optional(v.pipe(v.array(RewardShape), v.description('a `cancel-rewards` action fired: what it cancelled'))),
  clawbacks: v.optional(v.pipe(v.array(ClawbackShape), v.description('a `cancel-rewards` action fired: what was redeemed already and cannot be cancelled'))),
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

export const EmailSummaryShape = v.strictObject({ queued: v.number(), sending: v.number(), failed: v.number(), oldestDueAt: ntime });

export const SuppressionShape = v.strictObject({
  address: v.pipe(v.string(), v.description('lower-cased')),
  reason: v.pipe(v.string(), v.description("the receiving server's answer that put it here")),
  emailId: v.pipe(nstr, v.description('the email that bounced, when a bounce put it here')),
  createdAt: time,
});

const CredentialShape = v.strictObject({ id: str, hint: v.pipe(v.string(), v.description('the start of the value, to tell them apart')), createdAt: time });
export const CredentialsShape = v.strictObject({ apiKeys: v.array(CredentialShape), webhookSecrets: v.array(CredentialShape) });
export const NewApiKeyShape = v.strictObject({ id: str, apiKey: v.pipe(v.string(), v.description('shown only in this answer')), hint: str, createdAt: time });
export const NewWebhookSecretShape = v.strictObject({ id: str, webhookSecret: v.pipe(v.string(), v.description('shown only in this answer')), hint: str, createdAt: time });

const webhookEndpointEntries = {
  id: str,
  url: str,
  description: nstr,
  events: v.array(v.picklist(WEBHOOK_EVENT_TYPES)),
  status: v.picklist(['enabled', 'disabled']),
  disabledReason: v.pipe(nstr, v.description('`tenant` (disabled by hand) or `failing` (deliveries failed for days)')),
  failingSince: v.pipe(ntime, v.description('the first failure of the current run of failures')),
  previousSecretValidUntil: v.pipe(ntime, v.description('while set, deliveries are also signed with the previous secret')),
  createdAt: time,
  updatedAt: time,
};
export const WebhookEndpointShape = v.strictObject(webhookEndpointEntries);
export const WebhookEndpointWithSecretShape = v.strictObject({
  ...webhookEndpointEntries,
  secret: v.pipe(v.string(), v.description('the signing secret, shown only in this answer')),
});

const webhookDeliveryEntries = {
  id: str,
  endpointId: str,
  messageId: v.pipe(v.string(), v.description('the `webhook-id`: the same across retries and redeliveries, so receivers dedupe')),
  type: str,
  status: v.picklist(['queued', 'sending', 'delivered', 'failed']),
  attempts: v.number(),
  nextAttemptAt: ntime,
  giveUpAt: v.pipe(time, v.description('retries stop here')),
  lastStatusCode: v.nullable(v.number()),
  lastResponse: v.pipe(nstr, v.description("the start of the receiver's last answer")),
  lastError: nstr,
  createdAt: time,
  updatedAt: time,
  deliveredAt: ntime,
};
export const WebhookDeliveryShape = v.strictObject(webhookDeliveryEntries);
export const WebhookDeliveryDetailShape = v.strictObject({ ...webhookDeliveryEntries, payload: v.pipe(v.unknown(), v.description('the JSON body sent')) });

const int = v.pipe(v.number(), v.integer());
const minor = v.pipe(v.number(), v.integer(), v.description('minor units (cents)'));
const BacktestRewardShape = v.strictObject({ participantId: str, kind: str, currency: str, amountMinor: minor, taxableMinor: v.nullable(int), rule: str });
const W9CrossingShape = v.strictObject({ participantId: str, year: int, actualCents: minor, candidateCents: minor, reportableFromCents: minor });
const SampleSide = {
  fired: v.array(str),
  rules: v.pipe(v.nullable(v.array(AnyObject)), v.description('the explanation (as the dry run gives it); null when larger than 16 KB or not computable (see note)')),
  note: v.optional(str),
};

export const BacktestReportShape = v.strictObject({
  events: v.strictObject({
    replayed: int,
    exact: v.pipe(int, v.description('replayed with the facts stored with the event')),
    approximate: v.pipe(int, v.description('stored before facts were kept, or the candidate reads a fact the event did not: replayed with what is known now')),
    skipped: v.pipe(int, v.description('no snapshot and the participant no longer exists')),
    failed: v.pipe(int, v.description('the candidate cannot evaluate the event (the live path would answer 422); see failures')),
    changed: v.pipe(int, v.description('events whose fired rules or rewards change')),
  }),
  rules: v.array(v.strictObject({ rule: str, firedBefore: int, firedAfter: int })),
  rewards: v.strictObject({
    byKind: v.array(v.strictObject({ kind: str, currency: str, addedCount: int, addedMinor: minor, removedCount: int, removedMinor: minor, netMinor: minor })),
    totals: v.array(v.strictObject({ currency: str, addedMinor: minor, removedMinor: minor, netMinor: minor })),
  }),
  participants: v.strictObject({ count: int, countIsLowerBound: v.boolean(), list: v.array(str), listTruncated: v.boolean() }),
  w9: v.strictObject({
    wouldCross: v.array(W9CrossingShape),
    wouldCrossCount: int,
    wouldNoLongerCross: v.array(W9CrossingShape),
    wouldNoLongerCrossCount: int,
    participantsChecked: int,
    truncated: v.boolean(),
  }),
  limits: v.array(v.strictObject({ name: str, wouldStop: int, stoppedActually: int })),
  limitsSimulationTruncated: v.boolean(),
  sample: v.array(
    v.strictObject({
      eventId: str,
      type: str,
      participantId: str,
      occurredAt: time,
      exact: v.boolean(),
      before: v.strictObject({ version: v.nullable(int), ...SampleSide }),
      after: v.strictObject(SampleSide),
      added: v.array(BacktestRewardShape),
      removed: v.array(BacktestRewardShape),
    }),
  ),
  failures: v.array(v.strictObject({ eventId: str, pointer: str, message: str })),
});

export const BacktestShape = v.strictObject({
  id: str,
  programId: str,
  status: v.picklist(['queued', 'running', 'done', 'failed']),
  from: time,
  to: time,
  candidate: v.union([v.strictObject({ version: int }), v.strictObject({ inline: v.literal(true) })]),
  progress: v.strictObject({ eventsTotal: int, eventsDone: int, exact: v.optional(int), approximate: v.optional(int), changed: v.optional(int) }),
  report: v.optional(BacktestReportShape),
  error: v.optional(v.strictObject({ code: str, message: str, details: v.array(v.strictObject({ pointer: str, message: str })) })),
  createdAt: time,
  updatedAt: time,
  finishedAt: ntime,
});
