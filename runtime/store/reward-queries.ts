import type { Db } from './store.ts';
import type { RewardStatus, RewardTable } from './database.ts';
import { createdBetween, newestFirst, type Cursor } from './pagination.ts';

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

/**
 * Totals of the rewards dated in [from, to), per kind, currency and status;
 * the caller computes the calendar year in the program's time zone. Summed in
 * SQL so the cost does not grow with a participant's history.
 */
export async function rewardTotalsBetween(db: Db, tenantId: string, participantId: string, from: string, to: string) {
  const rows = await db
    .selectFrom('rewards')
    .select(['kind', 'currency', 'status', (eb) => eb.fn.sum<number | string>('amount_minor').as('amount_minor')])
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('status', '!=', 'cancelled')
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .groupBy(['kind', 'currency', 'status'])
    .execute();
  // PostgreSQL returns SUM over integers as a numeric string.
  return rows.map((r) => ({ ...r, amount_minor: Number(r.amount_minor) }));
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

/** The rewards a payout reminder is about: held for missing details, in one program. */
export async function pendingPayoutRewards(db: Db, tenantId: string, participantId: string, programId: string) {
  return db
    .selectFrom('rewards')
    .select(['id', 'kind', 'amount_minor', 'currency'])
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('program_id', '=', programId)
    .where('status', '=', 'pending_payout_info')
    .orderBy('occurred_at')
    .execute();
}

/** Cancels a reward unless it already is; returns whether this call cancelled it. */
export async function cancelRewardRow(db: Db, tenantId: string, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('rewards')
    .set({ status: 'cancelled', updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '!=', 'cancelled')
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

export type RewardFilter = { programId?: string; participantId?: string; status?: RewardStatus; kind?: string; from?: string; to?: string; limit: number; before?: Cursor };

export async function listRewardsPage(db: Db, tenantId: string, f: RewardFilter) {
  let q = db.selectFrom('rewards').selectAll().where('tenant_id', '=', tenantId);
  if (f.programId) q = q.where('program_id', '=', f.programId);
  if (f.participantId) q = q.where('participant_id', '=', f.participantId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.kind) q = q.where('kind', '=', f.kind);
  return newestFirst(createdBetween(q, f.from, f.to), f.before, f.limit).execute();
}
