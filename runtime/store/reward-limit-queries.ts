import { sql } from 'kysely';
import type { Db, DialectName } from './store.ts';

/**
 * Serialises the rewards of one program on PostgreSQL: a program-wide limit
 * is decided from a count no other transaction can change until commit.
 * Taken before any participant lock, so every writer locks in one order.
 * SQLite has one writer; D1 has no transactions (see reward-limits.ts).
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
  let query = db
    .selectFrom('rewards as r')
    .select([sql<number | string>`count(*)`.as('n'), sql<number | string | null>`sum(r.amount_minor)`.as('total')])
    .where('r.tenant_id', '=', q.tenantId)
    .where('r.program_id', '=', q.programId)
    .where('r.status', 'not in', ['cancelled', 'expired']);
  if (q.participantId !== undefined) query = query.where('r.participant_id', '=', q.participantId);
  if (q.kind !== undefined) query = query.where('r.kind', '=', q.kind);
  if (q.currency !== undefined) query = query.where('r.currency', '=', q.currency);
  if (q.range) query = query.where('r.occurred_at', '>=', q.range.from).where('r.occurred_at', '<', q.range.to);
  if (q.referralsOnly) {
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom('events as e').select('e.id').whereRef('e.tenant_id', '=', 'r.tenant_id').whereRef('e.id', '=', 'r.event_id').whereRef('e.participant_id', '<>', 'r.participant_id')),
    );
  }
  const row = await query.executeTakeFirst();
  // PostgreSQL returns COUNT and SUM as strings.
  return { count: Number(row?.n ?? 0), amount: Number(row?.total ?? 0) };
}
