import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database } from './database.ts';

/** Where the previous page ended: its last row's created_at and id. */
export type Cursor = { at: string; id: string };

/**
 * Newest first by (created_at, id), continuing after `before`. The id breaks
 * ties, so rows written in the same millisecond are neither skipped nor
 * repeated between pages. Every list has an index on (tenant_id, …, created_at).
 */
export function newestFirst<TB extends keyof Database, O>(q: SelectQueryBuilder<Database, TB, O>, before: Cursor | undefined, limit: number) {
  const at = sql.ref('created_at');
  const id = sql.ref('id');
  const after = before ? q.where(sql<boolean>`(${at} < ${before.at} or (${at} = ${before.at} and ${id} < ${before.id}))`) : q;
  return after.orderBy(at, 'desc').orderBy(id, 'desc').limit(limit);
}

/** Rows whose created_at is in [from, to). */
export function createdBetween<TB extends keyof Database, O>(q: SelectQueryBuilder<Database, TB, O>, from: string | undefined, to: string | undefined) {
  let out = q;
  if (from !== undefined) out = out.where(sql<boolean>`${sql.ref('created_at')} >= ${from}`);
  if (to !== undefined) out = out.where(sql<boolean>`${sql.ref('created_at')} < ${to}`);
  return out;
}
