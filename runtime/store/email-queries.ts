import { sql, type ExpressionBuilder } from 'kysely';
import type { Db, DialectName } from './store.ts';
import type { Database, EmailStatus, EmailTable } from './database.ts';
import { newestFirst, type Cursor } from './pagination.ts';

export async function insertEmailOnce(db: Db, row: EmailTable): Promise<boolean> {
  const result = await db
    .insertInto('emails')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export type EmailFilter = { participantId?: string; status?: EmailStatus; type?: string; limit: number; before?: Cursor };

export async function listEmails(db: Db, tenantId: string, f: EmailFilter) {
  let q = db
    .selectFrom('emails')
    .select(['id', 'type', 'template', 'to_address', 'subject', 'status', 'attempts', 'participant_id', 'program_id', 'last_response', 'next_attempt_at', 'message_id', 'sender', 'created_at', 'updated_at', 'sent_at'])
    .where('tenant_id', '=', tenantId);
  if (f.participantId) q = q.where('participant_id', '=', f.participantId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.type) q = q.where('type', '=', f.type);
  return newestFirst(q, f.before, f.limit).execute();
}

export async function findEmail(db: Db, tenantId: string, id: string) {
  return db.selectFrom('emails').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findEmailByKey(db: Db, tenantId: string, key: string) {
  return db.selectFrom('emails').selectAll().where('tenant_id', '=', tenantId).where('idempotency_key', '=', key).executeTakeFirst();
}

/**
 * Claims up to `limit` due emails with a lease. PostgreSQL skips rows another
 * dispatcher holds (FOR UPDATE SKIP LOCKED); SQLite and D1 have one writer, and
 * the conditional UPDATE makes a claim exclusive there. An expired lease (a
 * dispatcher that died mid-send) makes the email due again.
 */
export async function claimDueEmails(db: Db, dialect: DialectName, now: string, leaseUntil: string, limit: number) {
  const due = db
    .selectFrom('emails')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)])]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    )
    .orderBy('created_at')
    .limit(limit);
  const stillDue = (eb: ExpressionBuilder<Database, 'emails'>) =>
    eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)])]);
  const claim = { status: 'sending' as const, lease_until: leaseUntil, attempts: sql<number>`attempts + 1`, updated_at: now };
  if (dialect === 'postgres') {
    // A materialized CTE runs the locking SELECT once. Written as
    // `id IN (subquery)`, the planner may pick a nested loop that re-runs the
    // subquery per row; each re-run skips the rows this statement already
    // updated and locks the next ones, so one claim took the whole outbox,
    // far past `limit` and past what a single lease can cover.
    return db
      .with((cte) => cte('due').materialized(), () => due.forUpdate().skipLocked())
      .updateTable('emails')
      .set(claim)
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .where(stillDue)
      .returningAll()
      .execute();
  }
  return db.updateTable('emails').set(claim).where('id', 'in', due).where(stillDue).returningAll().execute();
}

/** Finishes an attempt, but only while this dispatcher still holds the lease. */
export async function finishAttempt(
  db: Db,
  id: string,
  leaseUntil: string,
  changes: Partial<Pick<EmailTable, 'status' | 'last_response' | 'next_attempt_at' | 'sent_at' | 'sender' | 'updated_at'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('emails')
    .set({ ...changes, lease_until: null })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_until', '=', leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

export async function requeueFailed(db: Db, tenantId: string, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('emails')
    .set({ status: 'queued', next_attempt_at: now, attempts: 0, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}
