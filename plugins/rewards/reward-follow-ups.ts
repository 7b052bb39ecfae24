import type { EmailDraft, ParticipantView, ProgramView, RewardDraft } from '../types.ts';
import { formatMoney } from './money.ts';
import { cashInUsd, crossesW9Threshold } from './cash-ledger.ts';

// What a new reward sets in motion: its own email, the W-9 notice when it
// carries the participant's cash for the year past the threshold, and a hold
// (with a payout reminder) while tax and banking details are missing.

const KIND_LABEL: Record<string, string> = {
  cash: 'cash',
  credit: 'account credit',
  percent_discount: 'discount',
  gift_card: 'gift card',
};

export function rewardAmountText(reward: Pick<RewardDraft, 'kind' | 'amountMinor' | 'currency'>, locale: string | null) {
  return reward.kind === 'percent_discount' ? `${reward.amountMinor / 100}%` : formatMoney(reward.amountMinor, reward.currency, locale);
}

export type PlannedReward = RewardDraft & { status: 'available' | 'pending_payout_info'; key: string };

export type FollowUpInput = {
  eventId: string;
  program: ProgramView;
  rewards: RewardDraft[];
  /** Cash (USD cents) already dated in the event's tax year, per recipient id. */
  cashBefore: ReadonlyMap<string, number>;
  taxYear: number;
  /** Emails rules asked for with the `w9-notice` template. */
  noticeRequests?: EmailDraft[];
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
    const held = reward.kind === 'cash' && !r.payoutInfoComplete;
    if (held) holds.set(r.id, r);
    rewards.push({ ...reward, status: held ? 'pending_payout_info' : 'available', key });
    if (reward.kind === 'cash') {
      cashAdded.set(r.id, (cashAdded.get(r.id) ?? 0) + cashInUsd([{ kind: 'cash', amount_minor: reward.amountMinor, currency: reward.currency }], program.settings).cents);
    }
    emails.push({
      type: 'reward',
      template: 'reward',
      recipient: r,
      idempotencyKey: `reward:${key}`,
      data: {
        reward: {
          kind: reward.kind,
          kindLabel: KIND_LABEL[reward.kind] ?? reward.kind,
          amount: reward.amountMinor / 100,
          amountFormatted: rewardAmountText(reward, r.locale),
          currency: reward.currency,
          description: reward.description,
          held,
        },
      },
    });
  }

  const notified = new Set<string>();
  for (const [recipientId, added] of cashAdded) {
    const recipient = rewards.find((x) => x.recipient.id === recipientId)!.recipient;
    const total = (input.cashBefore.get(recipientId) ?? 0) + added;
    if (recipient.w9OnFile || !crossesW9Threshold(total, program.settings)) continue;
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

/** The W-9 notice: once per participant and tax year, whoever asks for it. */
export function w9NoticeDraft(recipient: ParticipantView, program: ProgramView, year: number, totalCents: number): EmailDraft {
  return {
    type: 'w9-notice',
    template: 'w9-notice',
    recipient,
    idempotencyKey: `w9:${recipient.id}:${year}`,
    data: {
      year,
      totalCents,
      totalFormatted: formatMoney(totalCents, 'USD', recipient.locale),
      thresholdCents: program.settings.w9ThresholdCents,
      thresholdFormatted: formatMoney(program.settings.w9ThresholdCents, 'USD', recipient.locale),
      link: program.settings.w9FormUrl ?? null,
    },
  };
}
