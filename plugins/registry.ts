import type { ActionHandler } from './types.ts';
import { rewardAction } from './rewards/reward-action.ts';
import { emailAction } from './mail/email-action.ts';
import { cancelRewardsAction } from './rewards/cancel-rewards-action.ts';

// Every action type a rule may name has exactly one handler; `satisfies`
// makes a missing or misspelled entry a compile error.
export const actionHandlers = {
  reward: rewardAction,
  email: emailAction,
  'cancel-rewards': cancelRewardsAction,
} satisfies Record<string, ActionHandler>;

export type ActionType = keyof typeof actionHandlers;
