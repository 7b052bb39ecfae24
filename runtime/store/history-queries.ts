import { sql } from 'kysely';
import type { Db, DialectName } from './store.ts';

// The history facts' queries (rules/history-facts.ts): each one indexed
// statement over one participant's rows, whatever the program's size.

/** The participant's earlier events in the program (events_participant). */
export async function countEvents(db: Db, q: { tenantId: string; programId: string; participantId: string; type?: string; since?: string }): Promise<number> {
  let query = db
    .selectFrom('events')
    .select(sql<number | string>`count(*)`.as('n'))
    .where('tenant_id', '=', q.tenantId)
    .where('participant_id', '=', q.participantId)
    .where('program_id', '=', q.programId);
  if (q.type !== undefined) query = query.where('type', '=', q.type);
  if (q.since !== undefined) query = query.where('occurred_at', '>=', q.since);
  return Number((await query.executeTakeFirst())?.n ?? 0);
}

/** The participants the participant referred (participants_referred_by); `converted`: those with an event in the program. */
export async function countReferrals(db: Db, q: { tenantId: string; programId: string; participantId: string; converted?: boolean; since?: string }): Promise<number> {
  let query = db
    .selectFrom('participants as p')
    .select(sql<number | string>`count(*)`.as('n'))
    .where('p.tenant_id', '=', q.tenantId)
    .where('p.referred_by', '=', q.participantId);
  if (q.since !== undefined) query = query.where('p.created_at', '>=', q.since);
  if (q.converted !== undefined) {
    const hasEvent = ({ exists, selectFrom }: any) =>
      exists(selectFrom('events as e').select('e.id').whereRef('e.tenant_id', '=', 'p.tenant_id').whereRef('e.participant_id', '=', 'p.id').where('e.program_id', '=', q.programId));
    query = query.where((eb) => (q.converted ? hasEvent(eb) : eb.not(hasEvent(eb))));
  }
  return Number((await query.executeTakeFirst())?.n ?? 0);
}

/** The sum of the participant's rewards in the program that still count (not cancelled or expired), minor units (rewards_participant). */
export async function sumRewards(db: Db, q: { tenantId: string; programId: string; participantId: string; kind?: string; currency?: string; since?: string }): Promise<number> {
  let query = db
    .selectFrom('rewards')
    .select(sql<number | string | null>`sum(amount_minor)`.as('total'))
    .where('tenant_id', '=', q.tenantId)
    .where('participant_id', '=', q.participantId)
    .where('program_id', '=', q.programId)
    .where('status', 'not in', ['cancelled', 'expired']);
  if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
  if (q.currency !== undefined) query = query.where('currency', '=', q.currency);
  if (q.since !== undefined) query = query.where('occurred_at', '>=', q.since);
  return Number((await query.executeTakeFirst())?.total ?? 0);
}

/**
 * The sum of the number at `path` (names into the event's data) over the
 * participant's newest `limit` events of the type (events_participant_type,
 * read newest first, so the LIMIT stops the scan). The database reads the
 * JSON, so no payload crosses into JavaScript; the path is a bound parameter
 * (SQLite: a JSON path of quoted names; PostgreSQL: one `->` per name, each
 * bound as text), so it is always an object key, never an array index, on
 * both. Only JSON numbers count: strings, booleans, missing values are
 * ignored. SQLite's total() never overflows (a float, as in JavaScript);
 * PostgreSQL adds exact numerics.
 */
export async function sumEventValues(
  db: Db,
  dialect: DialectName,
  q: { tenantId: string; programId: string; participantId: string; type: string; path: readonly string[]; since?: string; limit: number },
): Promise<number> {
  const postgres = dialect === 'postgres';
  // PostgreSQL stores data as text: cast once per row, then walk the keys.
  const value = postgres ? sql`data::jsonb${sql.join(q.path.map((key) => sql` -> ${key}::text`), sql``)}` : sql`data`;
  let recent = db
    .selectFrom('events')
    .select(value.as('v'))
    .where('tenant_id', '=', q.tenantId)
    .where('participant_id', '=', q.participantId)
    .where('program_id', '=', q.programId)
    .where('type', '=', q.type);
  if (q.since !== undefined) recent = recent.where('occurred_at', '>=', q.since);
  recent = recent.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(q.limit);
  const jsonPath = `$${q.path.map((key) => `."${key}"`).join('')}`;
  const total = postgres
    ? sql<number | string | null>`sum(case when jsonb_typeof(recent.v) = 'number' then (recent.v)::numeric end)`
    : sql<number | string | null>`total(case when json_type(recent.v, ${jsonPath}) in ('integer', 'real') then json_extract(recent.v, ${jsonPath}) end)`;
  const row = await db.selectFrom(recent.as('recent')).select(total.as('total')).executeTakeFirst();
  return Number(row?.total ?? 0);
}
