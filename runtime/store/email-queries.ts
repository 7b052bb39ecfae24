import { sql, type ExpressionBuilder } from 'kysely';
import type { Db, DialectName } from './store.ts';
import type { Database, EmailStatus, EmailTable } from './database.ts';
import { newestFirst, type Cursor } from './pagination.ts';
import { definedColumns, rowSlots, runShaped } from './compiled-shapes.ts';

export async function insertEmailOnce(db: Db, row: EmailTable): Promise<boolean> {
  const result = await runShaped(db, `insertEmailOnce:${definedColumns(row)}`, row, (slot) =>
    db
      .insertInto('emails')
      .values(rowSlots(row, slot))
      .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing()),
  );
  return Number(result.numAffectedRows ?? 0) === 1;
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

export const EMAIL_STATUSES: readonly EmailStatus[] = ['queued', 'sending', 'sent', 'failed', 'suppressed'];

/** How many of the tenant's emails are in each status, with the log's participant and type filters. */
export async function countEmailsByStatus(db: Db, tenantId: string, f: Pick<EmailFilter, 'participantId' | 'type'>): Promise<Record<EmailStatus, number>> {
  let q = db
    .selectFrom('emails')
    .select((eb) => ['status', eb.fn.countAll().as('n')])
    .where('tenant_id', '=', tenantId);
  if (f.participantId) q = q.where('participant_id', '=', f.participantId);
  if (f.type) q = q.where('type', '=', f.type);
  const counts = Object.fromEntries(EMAIL_STATUSES.map((s) => [s, 0])) as Record<EmailStatus, number>;
  for (const row of await q.groupBy('status').execute()) counts[row.status] = Number(row.n);
  return counts;
}

export async function findEmail(db: Db, tenantId: string, id: string) {
  return db.selectFrom('emails').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findEmailByKey(db: Db, tenantId: string, key: string) {
  return db.selectFrom('emails').selectAll().where('tenant_id', '=', tenantId).where('idempotency_key', '=', key).executeTakeFirst();
}

/**
 * Due now: queued and past its retry time, or claimed by a dispatcher whose
 * lease ran out. A dispatcher never takes back its own expired claims: those
 * are sends it still has in progress (its clock jumped, or it stalled), and
 * a process that died comes back under a new holder name.
 */
function isDue(eb: ExpressionBuilder<Database, 'emails'>, now: string, holder?: string) {
  const expired = [eb('status', '=', 'sending'), eb('lease_until', '<', now)];
  if (holder) expired.push(eb.or([eb('lease_holder', 'is', null), eb('lease_holder', '!=', holder)]));
  return eb.or([
    eb.and([eb('status', '=', 'queued'), eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)])]),
    eb.and(expired),
  ]);
}

/**
 * Tenants with mail due, the longest-waiting first. The dispatcher claims per
 * tenant from this list, so one tenant's backlog cannot fill a claim meant
 * for everyone.
 */
export async function tenantsWithDueEmails(db: Db, now: string, holder: string, limit: number): Promise<string[]> {
  // Built once per shape (compiled-shapes.ts): the dispatcher asks this for nearly every event it delivers.
  const { rows } = await runShaped(db, 'tenantsWithDueEmails', { now, holder, limit }, (slot) =>
    db
      .selectFrom('emails')
      .select('tenant_id')
      .where((eb) => isDue(eb, slot('now'), slot('holder')))
      .groupBy('tenant_id')
      .orderBy((eb) => eb.fn.min('created_at'), 'asc')
      .limit(slot('limit')),
  );
  return rows.map((r) => r.tenant_id);
}

export type Claim = { now: string; leaseUntil: string; holder: string; limit: number; tenantId?: string };

/**
 * Claims up to `limit` due emails (of one tenant, when given) for `holder`
 * until `leaseUntil`. PostgreSQL skips rows another dispatcher holds (FOR
 * UPDATE SKIP LOCKED); SQLite and D1 have one writer, and the conditional
 * UPDATE makes a claim exclusive there. An expired lease (a dispatcher that
 * died mid-send) makes the email due again.
 */
export async function claimDueEmails(db: Db, dialect: DialectName, c: Claim) {
  let due = db
    .selectFrom('emails')
    .select('id')
    .where((eb) => isDue(eb, c.now, c.holder));
  if (c.tenantId) due = due.where('tenant_id', '=', c.tenantId);
  due = due.orderBy('created_at').limit(c.limit);
  const stillDue = (eb: ExpressionBuilder<Database, 'emails'>) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', c.now)])]);
  const claim = { status: 'sending' as const, lease_until: c.leaseUntil, lease_holder: c.holder, attempts: sql<number>`attempts + 1`, updated_at: c.now };
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
  if (c.tenantId) {
    // One writer, one statement: the rows the subquery picks are the rows
    // updated, so the due test is not repeated outside it (repeated there, it
    // drew SQLite's planner to scan every queued row through the status index
    // instead of updating the picked ids by key).
    const values = { now: c.now, holder: c.holder, tenantId: c.tenantId, limit: c.limit, leaseUntil: c.leaseUntil };
    const { rows } = await runShaped(db, 'claimDueEmailsOfTenant', values, (slot) =>
      db
        .updateTable('emails')
        .set({ status: 'sending' as const, lease_until: slot('leaseUntil'), lease_holder: slot('holder'), attempts: sql<number>`attempts + 1`, updated_at: slot('now') })
        .where('id', 'in', dueOfTenantSqlite(db, slot('now'), slot('holder'), slot('tenantId'), slot('limit')))
        .returningAll(),
    );
    return rows;
  }
  return db.updateTable('emails').set(claim).where('id', 'in', due).where(stillDue).returningAll().execute();
}

/**
 * A tenant's due emails for SQLite, oldest first: the queued ones and the
 * expired claims each read in created_at order from emails_due_by_tenant
 * (tenant, status, created_at) and merged. The single-condition form
 * (`isDue` with its OR on status) walked the tenant's whole history through
 * emails_log, every sent email before the first queued one, at each claim.
 */
function dueOfTenantSqlite(db: Db, now: string, holder: string, tenantId: string, limit: number) {
  const queued = db
    .selectFrom('emails')
    .select(['id', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .orderBy('created_at')
    .limit(limit);
  const expired = db
    .selectFrom('emails')
    .select(['id', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .where((eb) => eb.or([eb('lease_holder', 'is', null), eb('lease_holder', '!=', holder)]))
    .orderBy('created_at')
    .limit(limit);
  const either = db.selectFrom(queued.as('q')).selectAll().unionAll(db.selectFrom(expired.as('x')).selectAll());
  return db.selectFrom(either.as('due')).select('due.id').orderBy('due.created_at').limit(limit);
}

/**
 * Extends the leases `holder` still has on these emails; returns the ids it
 * still holds. An id missing from the answer was finished meanwhile, or (after
 * a stall longer than the lease) claimed by another dispatcher: either way
 * this one must not hand it to SMTP.
 */
export async function renewLeases(db: Db, holder: string, ids: readonly string[], leaseUntil: string): Promise<string[]> {
  const held: string[] = [];
  // In slices: D1 binds at most 100 parameters per statement.
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .updateTable('emails')
      .set({ lease_until: leaseUntil })
      .where('id', 'in', ids.slice(i, i + 90))
      .where('status', '=', 'sending')
      .where('lease_holder', '=', holder)
      .returning('id')
      .execute();
    for (const r of rows) held.push(r.id);
  }
  return held;
}

export type AttemptOutcome = Partial<Pick<EmailTable, 'status' | 'attempts' | 'last_response' | 'next_attempt_at' | 'sent_at' | 'sender' | 'updated_at'>>;

/** Finishes an attempt, but only while `holder` still holds the claim. */
export async function finishAttempt(db: Db, id: string, holder: string, changes: AttemptOutcome): Promise<boolean> {
  const result = await db
    .updateTable('emails')
    .set({ ...changes, lease_until: null, lease_holder: null })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

const OUTCOME_COLUMNS = ['status', 'attempts', 'last_response', 'next_attempt_at', 'sent_at', 'sender', 'updated_at'] as const;

/**
 * Finishes several attempts in one statement per slice (one transaction when
 * the caller opens one), each only while `holder` still holds its claim;
 * returns the ids it wrote. Every column an outcome names is set by a
 * `CASE id WHEN …` over the slice, and a column an outcome leaves out keeps
 * its value: one statement for a whole batch of sends, where one UPDATE per
 * send on SQLite cost one commit (an fsync) each.
 */
export async function finishAttempts(db: Db, dialect: DialectName, holder: string, outcomes: readonly { id: string; changes: AttemptOutcome }[]): Promise<Set<string>> {
  const written = new Set<string>();
  // Bound parameters per statement: D1 binds at most 100; SQLite and PostgreSQL far more.
  const budget = dialect === 'd1' ? 90 : 2000;
  let start = 0;
  while (start < outcomes.length) {
    let end = start;
    let params = 2; // 'sending' and the holder
    while (end < outcomes.length) {
      const cost = 1 + 2 * OUTCOME_COLUMNS.filter((c) => outcomes[end].changes[c] !== undefined).length;
      if (end > start && params + cost > budget) break;
      params += cost;
      end++;
    }
    const slice = outcomes.slice(start, end);
    start = end;
    const set: Record<string, unknown> = { lease_until: null, lease_holder: null };
    for (const column of OUTCOME_COLUMNS) {
      const naming = slice.filter((o) => o.changes[column] !== undefined);
      if (naming.length === 0) continue;
      set[column] = sql`case ${sql.join(naming.map((o) => sql`when id = ${o.id} then ${o.changes[column]}`), sql` `)} else ${sql.ref(column)} end`;
    }
    const rows = await db
      .updateTable('emails')
      .set(set as never)
      .where('id', 'in', slice.map((o) => o.id))
      .where('status', '=', 'sending')
      .where('lease_holder', '=', holder)
      .returning('id')
      .execute();
    for (const r of rows) written.add(r.id);
  }
  return written;
}

/**
 * Hands a claimed email back unsent (a dispatcher shutting down): queued and
 * due at once, the attempt it never made not counted. Only while the lease is ours.
 */
export async function releaseClaim(db: Db, id: string, holder: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('emails')
    .set({ status: 'queued', lease_until: null, lease_holder: null, next_attempt_at: now, attempts: sql<number>`attempts - 1`, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_holder', '=', holder)
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
