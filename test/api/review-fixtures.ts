import type { Db } from '../../runtime/store/store.ts';
import { formatReasons, parseReasons } from '../../plugins/rewards/reward-state.ts';

// What the review tests share. sendToReview marks an existing reward as
// waiting for review, with the given stored flags, straight through the store. The referral checks put rewards in
// review for real (test/api/reviews.test.ts and review-flow.test.ts use them);
// this stays for the one state the checks cannot produce: a `review_flags`
// column holding something they never write (reviews.test.ts).

export async function sendToReview(db: Db, tenantId: string, rewardId: string, flags: string): Promise<void> {
  const row = await db.selectFrom('rewards').select('pending_reasons').where('tenant_id', '=', tenantId).where('id', '=', rewardId).executeTakeFirstOrThrow();
  await db
    .updateTable('rewards')
    .set({ status: 'pending', pending_reasons: formatReasons([...parseReasons(row.pending_reasons), 'review']), review_flags: flags })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', rewardId)
    .execute();
}

/** The reward.status_changed announcements written to the webhook outbox for one reward, oldest first, as [from, to]. */
export async function statusChanges(db: Db, tenantId: string, rewardId: string): Promise<[string, string][]> {
  const rows = await db.selectFrom('webhook_deliveries').select('payload').where('tenant_id', '=', tenantId).where('event_type', '=', 'reward.status_changed').execute();
  return rows
    .map((d) => JSON.parse(d.payload).data)
    .filter((d) => d.id === rewardId)
    .map((d) => [d.previousStatus, d.status]);
}
