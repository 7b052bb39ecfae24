import { sql } from 'kysely';
import { newestFirst, type Cursor } from './pagination.ts';
import type { Db, DialectName } from './store.ts';
import type { ParticipantTable } from './database.ts';
import { runShaped } from './compiled-shapes.ts';

export async function findParticipant(db: Db, tenantId: string, id: string) {
  return db.selectFrom('participants').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/**
 * Reads a participant inside a transaction and, on PostgreSQL, locks the row
 * until commit: writers that decide from the participant's state (holds, the
 * W-9 total, reminders) then queue behind each other instead of each deciding
 * from a snapshot that misses the other's write. SQLite and D1 have one writer.
 */
export async function lockParticipant(db: Db, dialect: DialectName, tenantId: string, id: string) {
  const result = await runShaped(db, `lockParticipant:${dialect}`, { tenantId, id }, (slot) => {
    const q = db.selectFrom('participants').selectAll().where('tenant_id', '=', slot('tenantId')).where('id', '=', slot('id'));
    return dialect === 'postgres' ? q.forUpdate() : q;
  });
  return result.rows[0];
}

export async function findParticipantByEmail(db: Db, tenantId: string, email: string) {
  return db
    .selectFrom('participants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email', '=', email.toLowerCase())
    .orderBy('created_at')
    .executeTakeFirst();
}

/**
 * The participant a microsite login or reset for this address is about.
 * Addresses are not unique within a tenant: the oldest participant with a
 * password wins, else the oldest one.
 */
export async function findMicrositeParticipant(db: Db, tenantId: string, email: string) {
  return db
    .selectFrom('participants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email', '=', email.toLowerCase())
    .orderBy(sql`case when password_hash is null then 1 else 0 end`)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst();
}

export async function upsertParticipant(db: Db, row: ParticipantTable): Promise<void> {
  const { tenant_id, id, created_at, ...changes } = row;
  await db
    .insertInto('participants')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet(changes))
    .execute();
}

export async function countReferrals(db: Db, tenantId: string, id: string): Promise<number> {
  const row = await db
    .selectFrom('participants')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('referred_by', '=', id)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function setParticipantFields(db: Db, tenantId: string, id: string, fields: Partial<ParticipantTable>) {
  await db.updateTable('participants').set(fields).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function searchParticipants(db: Db, tenantId: string, query: string, limit = 50) {
  const q = query.trim().toLowerCase();
  return db
    .selectFrom('participants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('id', '=', query.trim()), eb('email', '=', q)]))
    .limit(limit)
    .execute();
}

/** Which of these participants unsubscribed from email-action emails. */
export async function unsubscribedAmong(db: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const wanted = [...new Set(ids)];
  // In slices: D1 binds at most 100 parameters per statement.
  for (let i = 0; i < wanted.length; i += 90) {
    const rows = await db
      .selectFrom('participants')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', wanted.slice(i, i + 90))
      .where('unsubscribed_at', 'is not', null)
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** Records the unsubscribe once: a second click keeps the first date. Returns false for an unknown participant. */
export async function markUnsubscribed(db: Db, tenantId: string, id: string, now: string): Promise<boolean> {
  await db.updateTable('participants').set({ unsubscribed_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).where('unsubscribed_at', 'is', null).execute();
  return (await findParticipant(db, tenantId, id)) !== undefined;
}

export type ParticipantFilter = {
  emailPrefix?: string;
  referredBy?: string;
  w9OnFile?: boolean;
  payoutInfoComplete?: boolean;
  unsubscribed?: boolean;
  /** Only participants with a pending reward that waits for this reason (a W-9, payout details, …). */
  waitingFor?: string;
  limit: number;
  before?: Cursor;
};

/**
 * Newest first, on the (tenant_id, created_at) index. The email prefix is an
 * exact substr comparison along that scan: a range on the email index would be
 * wrong under PostgreSQL collations that ignore punctuation.
 */
export async function listParticipants(db: Db, tenantId: string, f: ParticipantFilter) {
  let q = db.selectFrom('participants').selectAll().where('tenant_id', '=', tenantId);
  if (f.emailPrefix) {
    const prefix = f.emailPrefix.toLowerCase();
    q = q.where((eb) => eb(eb.fn('substr', ['email', eb.val(1), eb.val(prefix.length)]), '=', prefix));
  }
  if (f.referredBy !== undefined) q = q.where('referred_by', '=', f.referredBy);
  if (f.w9OnFile !== undefined) q = q.where('w9_on_file', '=', f.w9OnFile ? 1 : 0);
  if (f.payoutInfoComplete !== undefined) q = q.where('payout_info_complete', '=', f.payoutInfoComplete ? 1 : 0);
  if (f.unsubscribed !== undefined) q = q.where('unsubscribed_at', f.unsubscribed ? 'is not' : 'is', null);
  if (f.waitingFor !== undefined) {
    const reason = f.waitingFor;
    // On the rewards_participant index; the reason is one of PENDING_REASONS (validated by the route), never tenant text in a pattern.
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('rewards as r')
          .select('r.id')
          .whereRef('r.tenant_id', '=', 'participants.tenant_id')
          .whereRef('r.participant_id', '=', 'participants.id')
          .where('r.status', '=', 'pending')
          .where('r.pending_reasons', 'like', `%${reason}%`),
      ),
    );
  }
  return newestFirst(q, f.before, f.limit).execute();
}
