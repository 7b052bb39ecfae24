import { sql } from 'kysely';
import type { Db } from './store.ts';

/**
 * Counts one hit in a fixed window and returns the count so far. One upsert,
 * so concurrent hits on several instances add up instead of overwriting each
 * other; a hit in a newer window restarts the count.
 */
export async function hitRateLimit(db: Db, key: string, windowStart: string): Promise<number> {
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when ${sql.ref('rate_limits.window_start')} = ${sql.ref('excluded.window_start')} then ${sql.ref('rate_limits.count')} + 1 else 1 end`,
        window_start: sql<string>`${sql.ref('excluded.window_start')}`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function deleteStaleRateLimits(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('window_start', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
