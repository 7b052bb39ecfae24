import type { Db } from './store.ts';
import type { ParticipantTable } from './database.ts';

export async function findParticipant(db: Db, tenantId: string, id: string) {
  return db.selectFrom('participants').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
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
