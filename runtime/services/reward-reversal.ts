import type { Db } from '../store/store.ts';
import type { RewardTable } from '../store/database.ts';
import { rewardsOfEvent } from '../store/reward-queries.ts';
import type { RewardCancellation } from '../../plugins/types.ts';
import { endRemindersIfNothingWaits, moveReward } from './reward-transitions.ts';

export type Clawback = { rewardId: string; eventId: string; participantId: string; redeemedAmountMinor: number; currency: string; reason: string };

/**
 * A refund's `cancel-rewards`: what the named event of the same program
 * rewarded and is not used yet is cancelled (a held reward never becomes
 * available; cancelled value leaves the W-9 totals); what was redeemed is
 * reported as a clawback for the tenant to recover. Cancelled rewards stay
 * cancelled, so running it again changes nothing.
 */
export async function reverseEventRewards(
  db: Db,
  a: { tenantId: string; programId: string; cancellations: RewardCancellation[]; now: string },
): Promise<{ cancelled: RewardTable[]; clawbacks: Clawback[] }> {
  const cancelled: RewardTable[] = [];
  const clawbacks: Clawback[] = [];
  const seen = new Set<string>();
  for (const c of a.cancellations) {
    if (seen.has(c.eventId)) continue;
    seen.add(c.eventId);
    for (const row of await rewardsOfEvent(db, a.tenantId, a.programId, c.eventId)) {
      const redeemed = row.amount_minor - row.remaining_minor;
      if (redeemed > 0 && row.status !== 'expired') {
        clawbacks.push({ rewardId: row.id, eventId: row.event_id, participantId: row.participant_id, redeemedAmountMinor: redeemed, currency: row.currency, reason: c.reason });
      }
      if (row.status !== 'pending' && row.status !== 'available') continue;
      const moved = await moveReward(db, row, { status: 'cancelled', pending_reasons: '' }, { reason: c.reason, actor: 'rule', amountMinor: row.remaining_minor }, a.now);
      if (!moved) continue;
      cancelled.push(moved);
      if (row.status === 'pending') await endRemindersIfNothingWaits(db, row);
    }
  }
  return { cancelled, clawbacks };
}
