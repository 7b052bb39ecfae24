import type { Db } from './store.ts';
import type { BacktestTable, EventTable, ParticipantTable } from './database.ts';

export type ReplayRow = Pick<EventTable, 'id' | 'type' | 'participant_id' | 'data' | 'occurred_at' | 'created_at' | 'response' | 'facts'>;
export type Keyset = { occurredAt: string; id: string } | null;

/** The events a window holds (finished ones: a claim still being written has no answer to compare with). */
export async function countWindowEvents(db: Db, tenantId: string, programId: string, from: string, to: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .where('response', '!=', '')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The next `limit` events of the window after `after`, in (occurred_at, id) order: one index range read (events_program_time). */
export async function windowEventsAfter(db: Db, q: { tenantId: string; programId: string; from: string; to: string; after: Keyset; limit: number }): Promise<ReplayRow[]> {
  let query = db
    .selectFrom('events')
    .select(['id', 'type', 'participant_id', 'data', 'occurred_at', 'created_at', 'response', 'facts'])
    .where('tenant_id', '=', q.tenantId)
    .where('program_id', '=', q.programId)
    .where('occurred_at', '>=', q.from)
    .where('occurred_at', '<', q.to)
    .where('response', '!=', '');
  const after = q.after;
  if (after) query = query.where((eb) => eb.or([eb('occurred_at', '>', after.occurredAt), eb.and([eb('occurred_at', '=', after.occurredAt), eb('id', '>', after.id)])]));
  return query.orderBy('occurred_at').orderBy('id').limit(q.limit).execute();
}

/** Participants by id, in batches the dialects' parameter limits allow. */
export async function participantsByIds(db: Db, tenantId: string, ids: readonly string[]): Promise<ParticipantTable[]> {
  const out: ParticipantTable[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    out.push(...(await db.selectFrom('participants').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids.slice(i, i + 500)).execute()));
  }
  return out;
}

export async function insertBacktest(db: Db, row: BacktestTable): Promise<void> {
  await db.insertInto('backtests').values(row).execute();
}

export async function findBacktest(db: Db, tenantId: string, programId: string, id: string) {
  return db.selectFrom('backtests').selectAll().where('tenant_id', '=', tenantId).where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
}

/** A program's backtests, newest first, without their reports or running totals (bounded: the newest 100). */
export async function listBacktests(db: Db, tenantId: string, programId: string) {
  return db
    .selectFrom('backtests')
    .select(['id', 'tenant_id', 'program_id', 'status', 'params', 'events_total', 'events_done', 'error', 'created_at', 'updated_at', 'finished_at'])
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
}

/** The tenant's backtest still queued or running, if any: one at a time per tenant. */
export async function activeBacktestOf(db: Db, tenantId: string) {
  return db.selectFrom('backtests').select(['id', 'program_id']).where('tenant_id', '=', tenantId).where('status', 'in', ['queued', 'running']).executeTakeFirst();
}

/** Backtests with work left whose lease is free, longest waiting first. */
export async function dueBacktests(db: Db, now: string, limit: number) {
  return db
    .selectFrom('backtests')
    .select(['id', 'tenant_id', 'program_id'])
    .where('status', 'in', ['queued', 'running'])
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/** Takes the backtest's lease: true when this runner now holds it (no other instance runs it until `until`). */
export async function claimBacktest(db: Db, id: string, now: string, until: string): Promise<boolean> {
  const result = await db
    .updateTable('backtests')
    .set({ lease_until: until, status: 'running' })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores a chunk's progress, only while `lease` is still this runner's: false when it was lost (then the chunk is replayed by whoever holds it). */
export async function saveBacktestProgress(db: Db, id: string, lease: string, fields: Partial<BacktestTable>): Promise<boolean> {
  const result = await db.updateTable('backtests').set(fields).where('id', '=', id).where('lease_until', '=', lease).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
