import type { Db } from './store.ts';
import type { EventTable } from './database.ts';
import { createdBetween, newestFirst, type Cursor } from './pagination.ts';
import { definedColumns, rowSlots, runShaped } from './compiled-shapes.ts';

/** A claim without a stored response older than this was abandoned mid-way (D1 only: elsewhere the transaction rolls it back). */
export const ABANDONED_CLAIM_MS = 120_000;

export async function findEvent(db: Db, tenantId: string, id: string) {
  return db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/**
 * Claims the idempotency key: false when another request already holds it.
 * On D1, where the event's writes are not one transaction, a request that
 * died after claiming leaves a claim with no response; once that claim is
 * old enough a retry takes it over with this same conditional write, and
 * re-runs the writes, which the unique keys of rewards and emails turn into
 * no-ops for whatever the first attempt already wrote.
 */
export async function insertEventOnce(db: Db, row: EventTable): Promise<boolean> {
  const abandonedBefore = new Date(new Date(row.created_at).getTime() - ABANDONED_CLAIM_MS).toISOString();
  const result = await runShaped(db, `insertEventOnce:${definedColumns(row)}`, { ...row, abandonedBefore }, (slot) => {
    const s = rowSlots(row, slot);
    return db
      .insertInto('events')
      .values(s)
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'id'])
          .doUpdateSet({ program_id: s.program_id, type: s.type, participant_id: s.participant_id, data: s.data, occurred_at: s.occurred_at, request_hash: s.request_hash, created_at: s.created_at, facts: s.facts })
          .where('events.response', '=', '')
          .where('events.created_at', '<', slot('abandonedBefore')),
      );
  });
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** Stores the answer a replay of this event will get. */
export async function storeEventResponse(db: Db, tenantId: string, id: string, response: string): Promise<void> {
  await db.updateTable('events').set({ response }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export type EventFilter = { programId: string; type?: string; from?: string; to?: string; limit: number; before?: Cursor };

/** A program's events, newest first (including one still being processed, whose response is empty). */
export async function listEvents(db: Db, tenantId: string, f: EventFilter) {
  let q = db
    .selectFrom('events')
    .select(['id', 'program_id', 'type', 'participant_id', 'data', 'occurred_at', 'created_at', 'response'])
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', f.programId);
  if (f.type) q = q.where('type', '=', f.type);
  return newestFirst(createdBetween(q, f.from, f.to), f.before, f.limit).execute();
}
