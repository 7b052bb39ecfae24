import type { ActionHandler } from '../types.ts';
import { parsePath, resolvePath } from '../../rules/path.ts';

export type CancelRewardsParams = { eventIdPath: string; reason: string };

const MAX_EVENT_ID = 200;

/**
 * Names the earlier event whose rewards a refund takes back; the event
 * service cancels them in this event's transaction (so a repeated refund
 * event changes nothing) and reports redeemed ones as needing a clawback.
 */
export const cancelRewardsAction: ActionHandler<CancelRewardsParams> = {
  plan(params, ctx) {
    const segments = parsePath(params.eventIdPath);
    const id = segments ? resolvePath(ctx.event.data, segments) : undefined;
    if (typeof id !== 'string' || id === '' || id.length > MAX_EVENT_ID) {
      return { rewards: [], emails: [], skipped: `the event data has no event id at ${params.eventIdPath}` };
    }
    return { rewards: [], emails: [], cancellations: [{ eventId: id, reason: params.reason, ruleName: ctx.rule.name }] };
  },
};
