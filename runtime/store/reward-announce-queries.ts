import type { Db } from './store.ts';
import type { RewardStatus, RewardTable } from './database.ts';

/** A participant's rewards in one status: read before a bulk status change, so each change can be announced. */
export async function rewardsInStatus(db: Db, tenantId: string, participantId: string, status: RewardStatus): Promise<RewardTable[]> {
  return db.selectFrom('rewards').selectAll().where('tenant_id', '=', tenantId).where('participant_id', '=', participantId).where('status', '=', status).execute();
}

/** The rewards an event wrote, whichever run of it wrote them (D1 re-runs after a partial failure). */
export async function rewardsOfEvent(db: Db, tenantId: string, eventId: string): Promise<RewardTable[]> {
  return db.selectFrom('rewards').selectAll().where('tenant_id', '=', tenantId).where('event_id', '=', eventId).execute();
}
