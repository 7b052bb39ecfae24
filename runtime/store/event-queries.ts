import type { Db } from './store.ts';
import type { EventTable } from './database.ts';

export async function findEvent(db: Db, tenantId: string, id: string) {
  return db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Claims the idempotency key: false when another request already holds it. */
export async function insertEventOnce(db: Db, row: EventTable): Promise<boolean> {
  const result = await db.insertInto('events').values(row).onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}
