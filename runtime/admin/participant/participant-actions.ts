import type { Api, ApiAnswer } from '../admin-env.ts';
import { formatMoney, toMinorUnits } from '../../../plugins/rewards/money.ts';
import { rewardAmount, remainingAmount, type Participant, type Reward } from './participant-view.tsx';

// What the console can do to a participant: each one exactly an API call the
// API offers (so it is validated, refused and recorded in history the way a
// client's call is), described in words for its confirmation page.

export type EmailRow = { id: string; type: string; subject: string; status: string; to: string; participantId: string | null; createdAt: string; lastResponse: string | null };

/** What an action is about, read through the API before it is confirmed and again before it runs. */
export type ActionTarget = { participant: Participant; reward?: Reward; email?: EmailRow; amount?: string };

export type ParticipantAction = {
  needs: 'reward' | 'email' | null;
  /** The confirmation page's heading and its button. */
  title: (t: ActionTarget) => string;
  confirm: string;
  /** What will happen, in the words a program manager reads. */
  explain: (t: ActionTarget) => string;
  run: (api: Api, t: ActionTarget, idempotencyKey: string) => Promise<ApiAnswer>;
  done: (t: ActionTarget) => string;
};

const participantUrl = (t: ActionTarget) => `/v1/participants/${encodeURIComponent(t.participant.id)}`;
/** PUT replaces only what it names, but needs the address: the one the participant has. */
const put = (api: Api, t: ActionTarget, change: Record<string, boolean>) => api('PUT', participantUrl(t), { email: t.participant.email, ...change });
const rewardUrl = (t: ActionTarget, verb: string) => `/v1/rewards/${encodeURIComponent(t.reward!.id)}/${verb}`;
const rewardName = (t: ActionTarget) => `${rewardAmount(t.reward!)} ${t.reward!.kind.replace('_', ' ')} reward from rule ${t.reward!.rule}`;

/** A redeem amount as typed: major units; blank means everything that remains. */
export function redeemAmount(text: string | undefined): number | string | undefined {
  const s = (text ?? '').trim();
  if (s === '') return undefined;
  const n = Number(s);
  // Not a number: passed as typed, so the API's own message names the field.
  return Number.isFinite(n) ? n : s;
}

/** The typed amount in the reward's currency ($10.00), or as typed when it is not an amount the API would take. */
const amountText = (t: ActionTarget) => (/^\d+(\.\d{1,2})?$/.test(t.amount ?? '') ? formatMoney(toMinorUnits(Number(t.amount)), t.reward!.currency) : `“${t.amount}”`);

export const PARTICIPANT_ACTIONS: Record<string, ParticipantAction> = {
  'cancel-reward': {
    needs: 'reward',
    title: (t) => `Cancel the ${rewardName(t)}?`,
    confirm: 'Yes, cancel the reward',
    explain: (t) => `The reward (${t.reward!.status}, ${remainingAmount(t.reward!)} remaining) becomes cancelled and can no longer be redeemed. This cannot be undone; the cancellation is recorded in the reward's history.`,
    run: (api, t) => api('POST', rewardUrl(t, 'cancel')),
    done: (t) => `The ${rewardName(t)} is cancelled.`,
  },
  'redeem-reward': {
    needs: 'reward',
    title: (t) => `Redeem ${t.amount ? `${amountText(t)} of ` : ''}the ${rewardName(t)}?`,
    confirm: 'Yes, redeem',
    explain: (t) =>
      t.amount
        ? `${amountText(t)} of the ${remainingAmount(t.reward!)} that remains is marked as used; the rest stays available. The redemption is recorded in the reward's history.`
        : `All that remains (${remainingAmount(t.reward!)}) is marked as used and the reward becomes redeemed. The redemption is recorded in the reward's history.`,
    run: (api, t, key) => {
      const amount = redeemAmount(t.amount);
      return api('POST', rewardUrl(t, 'redeem'), amount === undefined ? {} : { amount }, { 'idempotency-key': key });
    },
    done: (t) => `Redeemed ${t.amount ? amountText(t) : 'all that remained'} of the ${rewardName(t)}.`,
  },
  'w9-on-file': {
    needs: null,
    title: (t) => `Mark the W-9 of ${t.participant.id} as on file?`,
    confirm: 'Yes, the W-9 is on file',
    explain: () => 'The W-9 is recorded as received today. Rewards held for it stop waiting for it (and become available unless they wait for something else); each change is recorded in that reward’s history.',
    run: (api, t) => put(api, t, { w9OnFile: true }),
    done: (t) => `The W-9 of ${t.participant.id} is on file.`,
  },
  'payout-complete': {
    needs: null,
    title: (t) => `Mark the payout details of ${t.participant.id} as complete?`,
    confirm: 'Yes, the payout details are complete',
    explain: () => 'The payout details are recorded as complete today: rewards held for them become available (each release recorded in its history) and payout reminders stop.',
    run: (api, t) => put(api, t, { payoutInfoComplete: true }),
    done: (t) => `The payout details of ${t.participant.id} are complete.`,
  },
  unsubscribe: {
    needs: null,
    title: (t) => `Unsubscribe ${t.participant.id} from emails?`,
    confirm: 'Yes, unsubscribe',
    explain: (t) => `${t.participant.email} gets no more emails that rules send, as if they had used the unsubscribe link. Account emails (verification, password reset) still go out.`,
    run: (api, t) => put(api, t, { unsubscribed: true }),
    done: (t) => `${t.participant.id} is unsubscribed.`,
  },
  resubscribe: {
    needs: null,
    title: (t) => `Subscribe ${t.participant.id} to emails again?`,
    confirm: 'Yes, subscribe again',
    explain: (t) => `Emails that rules send go to ${t.participant.email} again. Do this only when they asked for it: they unsubscribed on ${t.participant.unsubscribedAt?.slice(0, 10) ?? 'an earlier date'}.`,
    run: (api, t) => put(api, t, { unsubscribed: false }),
    done: (t) => `${t.participant.id} is subscribed again.`,
  },
  'resend-email': {
    needs: 'email',
    title: (t) => `Send the email “${t.email!.subject}” again?`,
    confirm: 'Yes, send it again',
    explain: (t) => `The ${t.email!.type} email to ${t.email!.to} failed${t.email!.lastResponse ? ` (${t.email!.lastResponse})` : ''}. It is queued again and sent with the mail settings in force now.`,
    run: (api, t) => api('POST', `/v1/emails/${encodeURIComponent(t.email!.id)}/retry`),
    done: (t) => `The email “${t.email!.subject}” is queued again.`,
  },
};

export const isAction = (name: string | undefined): name is keyof typeof PARTICIPANT_ACTIONS => !!name && Object.hasOwn(PARTICIPANT_ACTIONS, name);
