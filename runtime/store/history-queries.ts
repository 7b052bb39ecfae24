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
 * participant's newest events of the type, at most `limit` of them and at
 * most `maxBytes` of their data together (newest first): the database reads
 * each payload's JSON, so these two bound an evaluation's cost whatever the
 * tenant stored. The newest rows come from events_participant_type in index
 * order, so the LIMIT stops the scan; their sizes are read without their
 * contents (octet_length); only the rows within the budget are parsed.
 *
 * No payload crosses into JavaScript; the path is bound as parameters
 * (SQLite: one JSON path of quoted names; PostgreSQL: one `->` per name, each
 * bound as text), so each name is an object key, never an array index, on
 * both. Only JSON numbers count: strings, booleans, objects, missing values
 * are ignored. SQLite's total() never overflows (a float, as in JavaScript);
 * PostgreSQL adds exact numerics.
 */
export async function sumEventValues(
  db: Db,
  dialect: DialectName,
  q: { tenantId: string; programId: string; participantId: string; type: string; path: readonly string[]; since?: string; limit: number; maxBytes: number },
): Promise<number> {
  let newest = db
    .selectFrom('events')
    .select(['id', 'occurred_at', sql<number>`octet_length(data)`.as('bytes')])
    .where('tenant_id', '=', q.tenantId)
    .where('participant_id', '=', q.participantId)
    .where('program_id', '=', q.programId)
    .where('type', '=', q.type);
  if (q.since !== undefined) newest = newest.where('occurred_at', '>=', q.since);
  newest = newest.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(q.limit);
  // The data read so far, newest first, at each of those rows.
  const running = db
    .selectFrom(newest.as('newest'))
    .select(['newest.id', sql<number>`sum(newest.bytes) over (order by newest.occurred_at desc, newest.id desc rows unbounded preceding)`.as('upto')]);
  const within = db
    .selectFrom(running.as('running'))
    .innerJoin('events as e', (join) => join.on('e.tenant_id', '=', q.tenantId).onRef('e.id', '=', 'running.id'))
    .where('running.upto', '<=', q.maxBytes);
  if (dialect === 'postgres') {
    // data is text: parse it once per row (json, not jsonb: no binary form to build), then walk the keys.
    // OFFSET 0 keeps the subquery a subquery: pulled up, its value would be parsed once per use below.
    const v = sql`e.data::json${sql.join(q.path.map((key) => sql` -> ${key}::text`), sql``)}`;
    const values = within.select(v.as('v')).offset(0);
    const row = await db
      .selectFrom(values.as('x'))
      .select(sql<string | null>`sum(case when json_typeof(x.v) = 'number' then x.v::text::numeric end)`.as('total'))
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }
  // SQLite (and D1): json_type and json_extract share one parse through SQLite's JSON cache.
  const jsonPath = `$${q.path.map((key) => `."${key}"`).join('')}`;
  const row = await within
    .select(sql<number | null>`total(case when json_type(e.data, ${jsonPath}) in ('integer', 'real') then json_extract(e.data, ${jsonPath}) end)`.as('total'))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}
