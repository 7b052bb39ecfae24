import type { Db } from './store.ts';
import type { IdempotencyKeyTable } from './database.ts';
import { ABANDONED_CLAIM_MS } from './event-queries.ts';

type KeyRef = { tenant_id: string; scope: string; key: string };

/**
 * Claims a key (status 0 = running): false when another request holds it.
 * A claim left without an answer (the process died) is taken over once it is
 * older than events' abandoned-claim delay, with the same conditional write.
 */
export async function claimIdempotencyKey(db: Db, row: IdempotencyKeyTable): Promise<boolean> {
  const abandonedBefore = new Date(new Date(row.created_at).getTime() - ABANDONED_CLAIM_MS).toISOString();
  const result = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'scope', 'key'])
        .doUpdateSet({ request_hash: row.request_hash, created_at: row.created_at })
        .where('idempotency_keys.status', '=', 0)
        .where('idempotency_keys.created_at', '<', abandonedBefore),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findIdempotencyKey(db: Db, ref: KeyRef) {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', ref.tenant_id)
    .where('scope', '=', ref.scope)
    .where('key', '=', ref.key)
    .executeTakeFirst();
}

export async function saveIdempotentAnswer(db: Db, ref: KeyRef, status: number, response: string): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status, response })
    .where('tenant_id', '=', ref.tenant_id)
    .where('scope', '=', ref.scope)
    .where('key', '=', ref.key)
    .execute();
}

/** A request that failed keeps nothing: the client may fix it and retry with the same key. */
export async function releaseIdempotencyKey(db: Db, ref: KeyRef): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', ref.tenant_id)
    .where('scope', '=', ref.scope)
    .where('key', '=', ref.key)
    .where('status', '=', 0)
    .execute();
}

/** Keys answer repeats for a day, as retries happen within one; older ones are swept (scheduler.ts). */
export async function deleteOldIdempotencyKeys(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
