import type { Db } from './store.ts';
import type { TenantTable } from './database.ts';
import { runShaped } from './compiled-shapes.ts';

export async function insertTenant(db: Db, row: TenantTable): Promise<void> {
  await db.insertInto('tenants').values(row).execute();
}

/** The tenant one of whose API keys (api_keys; a tenant may hold two while rotating) has this hash. */
export async function findTenantByKeyHash(db: Db, apiKeyHash: string) {
  const result = await runShaped(db, 'findTenantByKeyHash', { apiKeyHash }, (slot) =>
    db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .select(['tenants.id as id', 'tenants.name as name'])
      .where('api_keys.key_hash', '=', slot('apiKeyHash')),
  );
  return result.rows[0];
}

export async function findTenant(db: Db, id: string) {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}
