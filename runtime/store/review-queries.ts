import type { Db } from './store.ts';
import { createdBetween, newestFirst, type Cursor } from './pagination.ts';

export type ReviewFilter = { programId?: string; participantId?: string; from?: string; to?: string; limit: number; before?: Cursor };

/**
 * The review queue: a tenant's pending rewards that wait (among other
 * reasons, perhaps) for review, newest first. The index on (tenant_id,
 * status, created_at, id) keeps the walk to the tenant's pending rewards.
 */
export async function listReviewPage(db: Db, tenantId: string, f: ReviewFilter) {
  let q = db.selectFrom('rewards').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'pending').where('pending_reasons', 'like', '%review%');
  if (f.programId) q = q.where('program_id', '=', f.programId);
  if (f.participantId) q = q.where('participant_id', '=', f.participantId);
  return newestFirst(createdBetween(q, f.from, f.to), f.before, f.limit).execute();
}
