import { sql } from 'kysely';
import type { Db, DialectName } from './store.ts';
import type { RewardTable } from './database.ts';

/**
 * Serialises the rewards of one program on PostgreSQL: a program-wide limit
 * is decided from a count no other transaction can change until commit.
 * Taken before any participant lock, so every writer locks in one order.
 * SQLite has one writer; D1 has no transactions: its inserts carry their
 * limits instead (insertRewardWithinLimits).
 */
export async function lockProgram(db: Db, dialect: DialectName, tenantId: string, programId: string): Promise<void> {
  if (dialect !== 'postgres') return;
  await db.selectFrom('programs').select('id').where('tenant_id', '=', tenantId).where('id', '=', programId).forUpdate().executeTakeFirst();
}

export type LimitUsageQuery = {
  tenantId: string;
  programId: string;
  /** The recipient whose rewards count; absent for the whole program. */
  participantId?: string;
  /** Only rewards earned for another participant's event (a referrer's). */
  referralsOnly?: boolean;
  kind?: string;
  currency?: string;
  range: { from: string; to: string } | null;
};

/**
 * How many of a program's rewards still count toward a limit, and their sum:
 * cancelled and expired rewards no longer do. One indexed statement
 * (rewards_participant, or rewards_program for the whole program).
 */
export async function limitUsage(db: Db, q: LimitUsageQuery): Promise<{ count: number; amount: number }> {
  const row = await usageQuery(db, q)
    .select([sql<number | string>`count(*)`.as('n'), sql<number | string | null>`sum(r.amount_minor)`.as('total')])
    .executeTakeFirst();
  // PostgreSQL returns COUNT and SUM as strings.
  return { count: Number(row?.n ?? 0), amount: Number(row?.total ?? 0) };
}

function usageQuery(db: Db, q: LimitUsageQuery) {
  let query = db
    .selectFrom('rewards as r')
    .where('r.tenant_id', '=', q.tenantId)
    .where('r.program_id', '=', q.programId)
    // Written out, not bound: a D1 statement takes at most 100 parameters (see guardedInsert).
    .where(sql<boolean>`r.status not in ('cancelled', 'expired')`);
  if (q.participantId !== undefined) query = query.where('r.participant_id', '=', q.participantId);
  if (q.kind !== undefined) query = query.where('r.kind', '=', q.kind);
  if (q.currency !== undefined) query = query.where('r.currency', '=', q.currency);
  if (q.range) query = query.where('r.occurred_at', '>=', q.range.from).where('r.occurred_at', '<', q.range.to);
  if (q.referralsOnly) {
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom('events as e').select('e.id').whereRef('e.tenant_id', '=', 'r.tenant_id').whereRef('e.id', '=', 'r.event_id').whereRef('e.participant_id', '<>', 'r.participant_id')),
    );
  }
  return query;
}

export type LimitGuard = { limit: string; query: LimitUsageQuery; measure: 'count' | 'amount'; value: number; max: number };

/**
 * Inserts the reward only if, in the same statement, every guard's usage plus
 * the reward's value stays within its maximum: D1 runs each statement alone,
 * so two events cannot both take the last place (there is no transaction to
 * hold a lock across a count and an insert). False when a guard refused it or
 * the reward exists already (a re-run): the caller tells them apart.
 */
export async function insertRewardWithinLimits(db: Db, row: RewardTable, guards: LimitGuard[]): Promise<boolean> {
  const result = await guardedInsert(db, row, guards).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * The statement itself. D1 binds at most 100 parameters per statement: the
 * row takes one per column (23), a guard at most 7 (tenant, program,
 * participant, kind, currency, two bounds; the value and the maximum are
 * validated integers, written out), so the 10 limits a program may have fit.
 */
export function guardedInsert(db: Db, row: RewardTable, guards: LimitGuard[]) {
  const columns = Object.keys(row) as (keyof RewardTable)[];
  let select = db.selectNoFrom(columns.map((c) => sql.val(row[c]).as(c)));
  for (const g of guards) {
    const used = usageQuery(db, g.query).select(g.measure === 'count' ? sql<number>`count(*)`.as('u') : sql<number>`coalesce(sum(r.amount_minor), 0)`.as('u'));
    select = select.where(sql<boolean>`(${used}) + ${sql.lit(Math.trunc(g.value))} <= ${sql.lit(Math.trunc(g.max))}`);
  }
  return db
    .insertInto('rewards')
    .columns(columns)
    .expression(select as never)
    .onConflict((oc) => oc.columns(['tenant_id', 'event_id', 'rule_name', 'participant_id']).doNothing());
}
