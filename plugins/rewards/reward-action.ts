import type { ActionHandler } from '../types.ts';
import { toMinorUnits } from './money.ts';

export type RewardParams = {
  kind: 'cash' | 'credit' | 'percent_discount' | 'gift_card';
  amount: number;
  currency?: string;
  to?: 'participant' | 'referrer';
  description?: string;
  holdDays?: number;
  expiresInDays?: number;
  taxableValue?: number;
};

export const rewardAction: ActionHandler<RewardParams> = {
  plan(params, ctx) {
    const recipient = params.to === 'referrer' ? ctx.referrer : ctx.participant;
    if (!recipient) return { rewards: [], emails: [], skipped: 'the participant has no referrer' };
    const currency = params.currency ?? 'USD';
    return {
      rewards: [
        {
          ruleName: ctx.rule.name,
          recipient,
          kind: params.kind,
          amountMinor: toMinorUnits(params.amount),
          currency,
          description: params.description ?? null,
          ...(params.holdDays !== undefined ? { holdDays: params.holdDays } : {}),
          ...(params.expiresInDays !== undefined ? { expiresInDays: params.expiresInDays } : {}),
          ...(params.taxableValue !== undefined && params.kind !== 'cash' ? { taxableMinor: toMinorUnits(params.taxableValue) } : {}),
        },
      ],
      emails: [],
    };
  },
};
