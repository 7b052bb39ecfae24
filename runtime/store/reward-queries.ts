import type { Db } from './store.ts';
import type { RewardStatus, RewardTable } from './database.ts';

export async function insertRewardOnce(db: Db, row: RewardTable): Promise<boolean> {
  const result = await db
    .insertInto('rewards')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'event_id', 'rule_name', 'participant_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function listRewards(db: Db, tenantId: string, participantId: string) {
  return db
    .selectFrom('rewards')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id')
    .execute();
}

/** Rewards dated in [from, to): the caller computes the calendar year in the program's time zone. */
export async function rewardsBetween(db: Db, tenantId: string, participantId: string, from: string, to: string) {
  return db
    .selectFrom('rewards')
    .select(['kind', 'amount_minor', 'currency', 'status', 'program_id'])
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('status', '!=', 'cancelled')
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .execute();
}

export async function countRewards(db: Db, tenantId: string, participantId: string): Promise<number> {
  const row = await db
    .selectFrom('rewards')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('status', '!=', 'cancelled')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function setRewardStatus(db: Db, tenantId: string, participantId: string, from: RewardStatus, to: RewardStatus, now: string) {
  const result = await db
    .updateTable('rewards')
    .set({ status: to, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0);
}

export async function findReward(db: Db, tenantId: string, id: string) {
  return db.selectFrom('rewards').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}
