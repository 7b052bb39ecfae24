import type { Db } from './store.ts';
import type { RewardHistoryTable } from './database.ts';
import { definedColumns, rowSlots, runShaped } from './compiled-shapes.ts';

/** Adds one transition; false when its idempotency key was used for this reward already. */
export async function insertRewardHistory(db: Db, row: RewardHistoryTable): Promise<boolean> {
  const result = await runShaped(db, `insertRewardHistory:${definedColumns(row)}`, row, (slot) =>
    db
      .insertInto('reward_history')
      .values(rowSlots(row, slot))
      .onConflict((oc) => oc.columns(['tenant_id', 'reward_id', 'idempotency_key']).doNothing()),
  );
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** The history of some rewards of one tenant, oldest first. */
export async function listRewardHistory(db: Db, tenantId: string, rewardIds: readonly string[]) {
  if (rewardIds.length === 0) return [];
  return db
    .selectFrom('reward_history')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('reward_id', 'in', rewardIds)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

export async function findRedemption(db: Db, tenantId: string, rewardId: string, idempotencyKey: string) {
  return db
    .selectFrom('reward_history')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('reward_id', '=', rewardId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}
