import type { Db } from '../../runtime/store/store.ts';
import { formatReasons, parseReasons } from '../../plugins/rewards/reward-state.ts';

// Stands in for the referral checks (issue 16 point 2, built on another
// branch): marks an existing reward as waiting for review, with its flags,
// through the store, as the checks will when they create it. Replace with
// rewards the checks flag once they are merged.

export const SAMPLE_FLAGS = [
  { check: 'self_referral', detail: 'same mailbox as the referrer after normalising' },
  { check: 'referral_rate', detail: { count: 4, windowMinutes: 30 } },
];

export async function sendToReview(db: Db, tenantId: string, rewardId: string, flags: unknown = SAMPLE_FLAGS): Promise<void> {
  const row = await db.selectFrom('rewards').select('pending_reasons').where('tenant_id', '=', tenantId).where('id', '=', rewardId).executeTakeFirstOrThrow();
  await db
    .updateTable('rewards')
    .set({ status: 'pending', pending_reasons: formatReasons([...parseReasons(row.pending_reasons), 'review']), review_flags: typeof flags === 'string' ? flags : JSON.stringify(flags) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', rewardId)
    .execute();
}
