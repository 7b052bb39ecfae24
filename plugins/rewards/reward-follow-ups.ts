import type { EmailDraft, ParticipantView, ProgramView, RewardDraft } from '../types.ts';
import { formatMoney } from './money.ts';
import { cashInUsd } from './cash-ledger.ts';
import { crossesThreshold, thresholdFor } from './tax-thresholds.ts';
import { addDays, formatReasons, type PendingReason } from './reward-state.ts';

// What a new reward sets in motion: its state (pending for a hold period or
// while payout details are missing, else available), its own email (sent when
// no hold period delays it; a held reward's goes when the scheduler releases
// it), the W-9 notice when it carries the participant's cash for the year to
// the threshold, and a payout reminder while banking details are missing.

const KIND_LABEL: Record<string, string> = {
  cash: 'cash',
  credit: 'account credit',
  percent_discount: 'discount',
  gift_card: 'gift card',
};

export function rewardAmountText(reward: Pick<RewardDraft, 'kind' | 'amountMinor' | 'currency'>, locale: string | null) {
  return reward.kind === 'percent_discount' ? `${reward.amountMinor / 100}%` : formatMoney(reward.amountMinor, reward.currency, locale);
}

export type PlannedReward = RewardDraft & {
  status: 'available' | 'pending';
  pendingReasons: string;
  holdUntil: string | null;
  expiresAt: string | null;
  key: string;
};

export type FollowUpInput = {
  eventId: string;
  program: ProgramView;
  rewards: RewardDraft[];
  /** Cash (USD cents) already dated in the event's tax year, per recipient id. */
  cashBefore: ReadonlyMap<string, number>;
  taxYear: number;
  /** Emails rules asked for with the `w9-notice` template. */
  noticeRequests?: EmailDraft[];
  now: Date;
};

export type FollowUps = { rewards: PlannedReward[]; emails: EmailDraft[]; payoutHolds: ParticipantView[] };

export function planRewardFollowUps(input: FollowUpInput): FollowUps {
  const { program } = input;
  const rewards: PlannedReward[] = [];
  const emails: EmailDraft[] = [];
  const holds = new Map<string, ParticipantView>();
  const cashAdded = new Map<string, number>();

  for (const reward of input.rewards) {
    const r = reward.recipient;
    const key = `${input.eventId}:${reward.ruleName}:${r.id}`;
    const reasons: PendingReason[] = [];
    const holdDays = reward.holdDays ?? program.settings.holdDays ?? 0;
    const holdUntil = holdDays > 0 ? addDays(input.now, holdDays) : null;
    if (holdUntil) reasons.push('hold');
    const held = reward.kind === 'cash' && !r.payoutInfoComplete;
    if (held) {
      reasons.push('payout_info');
      holds.set(r.id, r);
    }
    if (reward.kind === 'cash' || reward.taxableMinor) {
      const row = { kind: reward.kind, amount_minor: reward.amountMinor, currency: reward.currency, taxable_minor: reward.taxableMinor ?? null };
      cashAdded.set(r.id, (cashAdded.get(r.id) ?? 0) + cashInUsd([row], program.settings).cents);
    }
    // With w9Hold, cash that carries the year's total to the threshold waits for the W-9.
    const w9Held =
      program.settings.w9Hold === true &&
      reward.kind === 'cash' &&
      !r.w9OnFile &&
      crossesThreshold((input.cashBefore.get(r.id) ?? 0) + (cashAdded.get(r.id) ?? 0), input.taxYear, program.settings);
    if (w9Held) reasons.push('w9_required');
    // A referral check's `review` outcome: waits for a reviewer's decision (the review queue).
    const inReview = (reward.reviewFlags?.length ?? 0) > 0;
    if (inReview) reasons.push('review');
    const expiresInDays = reward.expiresInDays ?? program.settings.expiresInDays;
    // The expiry clock starts when the hold ends: a held reward gets its full time.
    const expiresAt = expiresInDays ? addDays(holdUntil ? new Date(holdUntil) : input.now, expiresInDays) : null;
    const pendingReasons = formatReasons(reasons);
    rewards.push({ ...reward, status: pendingReasons === '' ? 'available' : 'pending', pendingReasons, holdUntil, expiresAt, key });
    // A held reward's own email waits for the hold's end; meanwhile it is announced as on its way.
    // One in review is not announced at all: a reviewer may deny it; approving it sends its email (same key).
    if (inReview) continue;
    if (!holdUntil) emails.push(rewardEmailDraft(reward, r, key, held || w9Held));
    else emails.push(rewardPendingDraft(reward, r, key, holdUntil));
  }

  const notified = new Set<string>();
  for (const [recipientId, added] of cashAdded) {
    const recipient = rewards.find((x) => x.recipient.id === recipientId)!.recipient;
    const total = (input.cashBefore.get(recipientId) ?? 0) + added;
    if (recipient.w9OnFile || !crossesThreshold(total, input.taxYear, program.settings)) continue;
    notified.add(recipientId);
    emails.push(w9NoticeDraft(recipient, program, input.taxYear, total));
  }
  // A rule may send the notice itself (say, on stats.w9Required): it gets the
  // notice's data and its once-a-year key, so it never doubles the automatic one.
  for (const request of input.noticeRequests ?? []) {
    const r = request.recipient;
    if (r.w9OnFile || notified.has(r.id)) continue;
    notified.add(r.id);
    const total = (input.cashBefore.get(r.id) ?? 0) + (cashAdded.get(r.id) ?? 0);
    const draft = w9NoticeDraft(r, program, input.taxYear, total);
    emails.push({ ...draft, data: { ...request.data, ...draft.data } });
  }

  return { rewards, emails, payoutHolds: [...holds.values()] };
}

/** The reward's own email; its key is the reward's, so a release after a hold cannot send it twice. */
export function rewardEmailDraft(
  reward: Pick<RewardDraft, 'kind' | 'amountMinor' | 'currency' | 'description'>,
  recipient: ParticipantView,
  key: string,
  held: boolean,
): EmailDraft {
  return {
    type: 'reward',
    template: 'reward',
    recipient,
    idempotencyKey: `reward:${key}`,
    data: {
      reward: {
        kind: reward.kind,
        kindLabel: KIND_LABEL[reward.kind] ?? reward.kind,
        amount: reward.amountMinor / 100,
        amountFormatted: rewardAmountText(reward, recipient.locale),
        currency: reward.currency,
        description: reward.description,
        held,
      },
    },
  };
}

/** The optional `reward-pending` email: the reward is earned and becomes available on a date. */
export function rewardPendingDraft(reward: Pick<RewardDraft, 'kind' | 'amountMinor' | 'currency' | 'description'>, recipient: ParticipantView, key: string, holdUntil: string): EmailDraft {
  const draft = rewardEmailDraft(reward, recipient, key, false);
  const data = draft.data.reward as Record<string, unknown>;
  return {
    ...draft,
    type: 'reward-pending',
    template: 'reward-pending',
    idempotencyKey: `reward-pending:${key}`,
    data: { reward: { ...data, availableAt: holdUntil, availableOn: holdUntil.slice(0, 10) } },
  };
}

/**
 * The W-9 notice: once per participant and tax year, whoever asks for it.
 * `reportableFrom*` is the year's threshold ("this much or more");
 * `threshold*` keeps the older "more than" form templates were written for.
 */
export function w9NoticeDraft(recipient: ParticipantView, program: ProgramView, year: number, totalCents: number): EmailDraft {
  const from = thresholdFor(year, program.settings).reportableFromCents;
  return {
    type: 'w9-notice',
    template: 'w9-notice',
    recipient,
    idempotencyKey: `w9:${recipient.id}:${year}`,
    data: {
      year,
      totalCents,
      totalFormatted: formatMoney(totalCents, 'USD', recipient.locale),
      reportableFromCents: from,
      reportableFromFormatted: formatMoney(from, 'USD', recipient.locale),
      thresholdCents: from - 1,
      thresholdFormatted: formatMoney(from - 1, 'USD', recipient.locale),
      link: program.settings.w9FormUrl ?? null,
    },
  };
}
