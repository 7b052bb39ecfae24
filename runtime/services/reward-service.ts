import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { inTransaction } from '../store/store.ts';
import { cancelRewardRow, findReward, pendingPayoutRewards } from '../store/reward-queries.ts';
import { lockParticipant } from '../store/participant-queries.ts';
import { closePayoutCycle } from '../store/payout-queries.ts';
import { rewardView } from './views.ts';
import { announce } from './webhook-outbox.ts';
import { rewardStatusChanged } from './webhook-facts.ts';

/**
 * Cancels a reward. Cancelling again answers the same. A cancelled reward no
 * longer counts toward the W-9 total, and when it was the participant's last
 * held reward in its program, the payout reminders for that program stop.
 */
export async function cancelReward(services: Services, tenant: Tenant, rewardId: string) {
  const now = services.clock.now().toISOString();
  const result = await inTransaction(services.store, async (db) => {
    const found = await findReward(db, tenant.id, rewardId);
    if (!found) throw new AppError('not_found', 'reward not found');
    await lockParticipant(db, services.store.dialect, tenant.id, found.participant_id);
    const cancelled = await cancelRewardRow(db, tenant.id, rewardId, now);
    if (cancelled && (await pendingPayoutRewards(db, tenant.id, found.participant_id, found.program_id)).length === 0) {
      await closePayoutCycle(db, { tenantId: tenant.id, participantId: found.participant_id, programId: found.program_id });
    }
    const after = (await findReward(db, tenant.id, rewardId))!;
    const announced = cancelled ? await announce(db, tenant.id, [rewardStatusChanged(after, found.status)], services.clock.now()) : 0;
    return { cancelled, reward: rewardView(after), announced };
  });
  if (result.announced > 0) services.webhooks.kick();
  return { cancelled: result.cancelled, reward: result.reward };
}
