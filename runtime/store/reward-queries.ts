import { sql } from 'kysely';
import type { Db } from './store.ts';
import type { RewardStatus, RewardTable } from './database.ts';
import { createdBetween, newestFirst, type Cursor } from './pagination.ts';
import { definedColumns, rowSlots, runShaped } from './compiled-shapes.ts';

export async function insertRewardOnce(db: Db, row: RewardTable): Promise<boolean> {
  const result = await runShaped(db, `insertRewardOnce:${definedColumns(row)}`, row, (slot) =>
    db
      .insertInto('rewards')
      .values(rowSlots(row, slot))
      .onConflict((oc) => oc.columns(['tenant_id', 'event_id', 'rule_name', 'participant_id']).doNothing()),
  );
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** Whether the event already wrote this rule's reward for this participant (a re-run on D1). */
export async function rewardOfEventExists(db: Db, tenantId: string, eventId: string, ruleName: string, participantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('rewards')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('event_id', '=', eventId)
    .where('rule_name', '=', ruleName)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
  return row !== undefined;
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
 * Totals of the rewards dated in [from, to), per kind, currency, status and
 * pending reasons; the caller computes the calendar year in the program's
 * time zone. A cancelled or expired reward counts only with what was redeemed
 * of it before (usually nothing). Summed in SQL so the cost does not grow with
 * a participant's history.
 */
export async function rewardTotalsBetween(db: Db, tenantId: string, participantId: string, from: string, to: string) {
  const rows = await db
    .selectFrom('rewards')
    .select([
      'kind',
      'currency',
      'status',
      'pending_reasons',
      sql<number | string>`sum(case when status in ('cancelled', 'expired') then amount_minor - remaining_minor else amount_minor end)`.as('amount_minor'),
      // The taxable value in proportion to what was used of a cancelled or expired reward.
      sql<number | string | null>`sum(case when taxable_minor is null then 0 when status in ('cancelled', 'expired') then taxable_minor * (amount_minor - remaining_minor) / amount_minor else taxable_minor end)`.as('taxable_minor'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .groupBy(['kind', 'currency', 'status', 'pending_reasons'])
    .execute();
  // PostgreSQL returns SUM over integers as a numeric string.
  return rows.map((r) => ({ ...r, amount_minor: Number(r.amount_minor), taxable_minor: Number(r.taxable_minor ?? 0) }));
}

export async function countRewards(db: Db, tenantId: string, participantId: string): Promise<number> {
  const row = await db
    .selectFrom('rewards')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('status', 'not in', ['cancelled', 'expired'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function findReward(db: Db, tenantId: string, id: string) {
  return db.selectFrom('rewards').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The rewards a payout reminder is about: pending for missing details, in one program. */
export async function pendingPayoutRewards(db: Db, tenantId: string, participantId: string, programId: string) {
  return db
    .selectFrom('rewards')
    .select(['id', 'kind', 'amount_minor', 'currency'])
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('program_id', '=', programId)
    .where('status', '=', 'pending')
    .where('pending_reasons', 'like', '%payout_info%')
    .orderBy('occurred_at')
    .execute();
}

/** A participant's rewards waiting for one reason (payout details, a W-9). */
export async function pendingRewardsFor(db: Db, tenantId: string, participantId: string, reason: string) {
  return db
    .selectFrom('rewards')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('status', '=', 'pending')
    .where('pending_reasons', 'like', `%${reason}%`)
    .execute();
}

export async function rewardsOfEvent(db: Db, tenantId: string, programId: string, eventId: string) {
  return db
    .selectFrom('rewards')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .where('event_id', '=', eventId)
    .orderBy('id')
    .execute();
}

/**
 * Moves a reward from the state it was read in to the next. The condition on
 * status, reasons and remaining value makes it a compare-and-set: of two
 * instances (or a scheduler and a request) acting on the same read, one wins.
 */
export async function transitionReward(
  db: Db,
  row: Pick<RewardTable, 'tenant_id' | 'id' | 'status' | 'pending_reasons' | 'remaining_minor'>,
  next: { status: RewardStatus; pending_reasons: string; remaining_minor?: number; hold_until?: string | null },
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('rewards')
    .set({ ...next, updated_at: now })
    .where('tenant_id', '=', row.tenant_id)
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('pending_reasons', '=', row.pending_reasons)
    .where('remaining_minor', '=', row.remaining_minor)
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

/**
 * Takes `amount` off an available reward in one statement: the guard on the
 * remaining value means concurrent redemptions can never take more than there
 * is, whatever order they commit in. Fully used becomes `redeemed`.
 */
export async function redeemRewardRow(db: Db, tenantId: string, id: string, amount: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('rewards')
    .set({
      remaining_minor: sql`remaining_minor - ${amount}`,
      status: sql`case when remaining_minor = ${amount} then 'redeemed' else 'available' end`,
      updated_at: now,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'available')
    .where('remaining_minor', '>=', amount)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

/** Gives back a redemption whose Idempotency-Key lost a race, where no transaction rolls it back (D1). */
export async function restoreRedemption(db: Db, tenantId: string, id: string, amount: number, now: string): Promise<void> {
  await db
    .updateTable('rewards')
    .set({ remaining_minor: sql`remaining_minor + ${amount}`, status: 'available', updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', ['available', 'redeemed'])
    .execute();
}

/** Held rewards whose hold has ended, oldest first, across tenants (the scheduler). */
export async function dueHoldReleases(db: Db, now: string, limit: number) {
  return db
    .selectFrom('rewards')
    .selectAll()
    .where('status', '=', 'pending')
    .where('hold_until', '<=', now)
    .where('pending_reasons', 'like', '%hold%')
    .orderBy('hold_until')
    .limit(limit)
    .execute();
}

/** Unredeemed rewards past their expiry, across tenants (the scheduler). */
export async function dueExpiries(db: Db, now: string, limit: number) {
  return db
    .selectFrom('rewards')
    .selectAll()
    .where('status', 'in', ['pending', 'available'])
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}
