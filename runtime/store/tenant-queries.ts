import type { Db } from './store.ts';
import type { TenantTable } from './database.ts';

export async function insertTenant(db: Db, row: TenantTable): Promise<void> {
  await db.insertInto('tenants').values(row).execute();
}

export async function findTenantByKeyHash(db: Db, apiKeyHash: string) {
  return db.selectFrom('tenants').select(['id', 'name']).where('api_key_hash', '=', apiKeyHash).executeTakeFirst();
}

export async function findTenant(db: Db, id: string) {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}
