import type { ParticipantFact } from '../rules/facts.ts';
import type { CheckOutcome, ReferralFlag } from './referral-checks/types.ts';

// Contracts between the core and its plugins. An interface lives with its
// consumer: the outbox dispatcher consumes MailTransport, the event service
// consumes ActionHandler.

/** One message ready to leave, already rendered and with a stable Message-ID. */
export type OutgoingMail = {
  /** A single RFC 5322 mailbox, already validated: `"Name" <a@b.c>` or `a@b.c`. */
  from: { name?: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** `<key@domain>`; derived from the email's idempotency key so a resend keeps it. */
  messageId: string;
  /** An HTTPS one-click unsubscribe URL (RFC 8058): sent as List-Unsubscribe with List-Unsubscribe-Post. */
  listUnsubscribe?: string;
  /** Present when the built-in sender signs for a verified custom domain. */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
};

/** What the receiving server said when it accepted a message. */
export type SendResult = { response: string; messageId: string };

/**
 * How a delivery failed, so the dispatcher (not the transport) decides retries:
 * - `transient`: 4xx, connection errors, timeouts; retry with backoff.
 * - `permanent`: 5xx other than authentication; fail at once.
 * - `auth`: 535 and friends; fail at once and flag the integration.
 * - `config`: the settings themselves are wrong (TLS mode, certificate, refused host).
 */
export type MailFailureKind = 'transient' | 'permanent' | 'auth' | 'config';

export class MailDeliveryError extends Error {
  constructor(
    readonly kind: MailFailureKind,
    message: string,
    readonly responseCode?: number,
    readonly response?: string,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

export interface MailTransport {
  /** Sends one message; throws MailDeliveryError on failure. */
  send(mail: OutgoingMail): Promise<SendResult>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

/** A participant as actions, templates and rules see it (never the password hash). */
export type ParticipantView = ParticipantFact;

export type ProgramView = { id: string; name: string; settings: ProgramSettings };

export type ProgramSettings = {
  /** The older single threshold ("more than", USD cents) for every year; see plugins/rewards/tax-thresholds.ts. */
  w9ThresholdCents?: number;
  /** Per tax year, the smallest reportable total in USD cents ("or more"); overrides the built-in table. */
  taxThresholds: Record<string, number>;
  /** Defaults for reward actions that do not say: days held before available, days available before expiring. */
  holdDays?: number;
  expiresInDays?: number;
  /** Cash past the year's W-9 threshold stays pending (`w9_required`) until the participant's W-9 is on file. */
  w9Hold?: boolean;
  timeZone: string;
  usdRates: Record<string, number>;
  payoutReminder: { everyDays: number; maxReminders: number };
  verificationTtlHours: number;
  passwordResetTtlMinutes: number;
  w9FormUrl?: string;
  payoutDetailsUrl?: string;
  /** Caps on rewards per participant, referrer or program and period; empty for none. */
  limits: RewardLimit[];
  /** The outcome of each referral check (plugins/referral-checks/); every one `allow` unless set. */
  referralChecks: ReferralCheckSettings;
};

export type ReferralCheckSettings = {
  selfReferral: { outcome: CheckOutcome };
  cycle: { outcome: CheckOutcome };
  rate: { outcome: CheckOutcome; count: number; windowMinutes: number };
  disposableEmail: { outcome: CheckOutcome };
  blocked: { outcome: CheckOutcome };
};

export type RewardLimit = {
  name: string;
  /** Whose rewards count: the recipient's (any role), the recipient's earned for others' events, or the whole program's. */
  scope: 'participant' | 'referrer' | 'program';
  measure: 'count' | 'amount';
  /** For `amount`: only rewards in this currency count, and only they are capped. */
  currency?: string;
  /** Only rewards of this kind count and are capped. */
  kind?: string;
  period: 'day' | 'week' | 'month' | 'year' | 'lifetime' | 'rolling';
  /** For `rolling`: the window's length in days. */
  days?: number;
  /** The most the scope may reach: a count, or minor units of the currency. */
  max: number;
};

/** An email to queue; the mail plugin renders it and writes it to the outbox. */
export type EmailDraft = {
  type: string;
  template: string;
  recipient: ParticipantView;
  idempotencyKey: string;
  data: Record<string, unknown>;
};

/** A reward to write, in integer minor units. */
export type RewardDraft = {
  ruleName: string;
  recipient: ParticipantView;
  kind: string;
  amountMinor: number;
  currency: string;
  description: string | null;
  /** From the reward action; the program's defaults apply when absent. */
  holdDays?: number;
  expiresInDays?: number;
  /** A non-cash reward's USD cents that count toward the W-9 total. */
  taxableMinor?: number;
  /** Set when a referral check's outcome is `review`: the reward is written pending (`review`) with these flags. */
  reviewFlags?: ReferralFlag[];
};

export type ActionContext = {
  tenantId: string;
  program: ProgramView;
  event: { id: string; type: string; data: Record<string, unknown>; occurredAt: string };
  rule: { name: string; priority: number };
  participant: ParticipantView;
  referrer: ParticipantView | null;
};

/** A request to cancel what an earlier event of the program rewarded (a refund, a chargeback). */
export type RewardCancellation = { eventId: string; reason: string; ruleName: string };

export type ActionPlan = { rewards: RewardDraft[]; emails: EmailDraft[]; cancellations?: RewardCancellation[]; skipped?: string };

/** Plans the effects of one fired rule; the event service writes them in one transaction. */
export type ActionHandler<P = any> = {
  plan(params: P, ctx: ActionContext): ActionPlan;
};
