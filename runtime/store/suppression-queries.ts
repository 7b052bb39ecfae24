import type { Db } from './store.ts';
import type { SuppressionTable } from './database.ts';

// The tenant's suppression list: addresses mail must not go to any more.
// Addresses are stored lower-cased; callers pass them as written.

export async function addSuppression(db: Db, row: SuppressionTable): Promise<void> {
  await db
    .insertInto('suppressions')
    .values({ ...row, address: row.address.toLowerCase() })
    .onConflict((oc) => oc.columns(['tenant_id', 'address']).doNothing())
    .execute();
}

/** Which of these addresses (lower-cased) the tenant suppressed, with the reason. */
export async function suppressedAmong(db: Db, tenantId: string, addresses: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(addresses.map((a) => a.toLowerCase()))];
  const found = new Map<string, string>();
  // In slices: D1 binds at most 100 parameters per statement.
  for (let i = 0; i < wanted.length; i += 90) {
    const rows = await db.selectFrom('suppressions').select(['address', 'reason']).where('tenant_id', '=', tenantId).where('address', 'in', wanted.slice(i, i + 90)).execute();
    for (const r of rows) found.set(r.address, r.reason);
  }
  return found;
}

/** Newest first; `before` is the previous page's last (created_at, address). */
export async function listSuppressions(db: Db, tenantId: string, f: { limit: number; before?: { createdAt: string; address: string } }) {
  let q = db.selectFrom('suppressions').selectAll().where('tenant_id', '=', tenantId);
  const before = f.before;
  if (before) {
    q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('address', '<', before.address)])]));
  }
  return q.orderBy('created_at', 'desc').orderBy('address', 'desc').limit(f.limit).execute();
}

export async function deleteSuppression(db: Db, tenantId: string, address: string): Promise<boolean> {
  const result = await db.deleteFrom('suppressions').where('tenant_id', '=', tenantId).where('address', '=', address.toLowerCase()).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0) === 1;
}
