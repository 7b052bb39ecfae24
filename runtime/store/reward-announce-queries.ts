import type { Db } from './store.ts';
import type { RewardTable } from './database.ts';

/** The rewards an event wrote, whichever run of it wrote them (D1 re-runs after a partial failure). */
export async function rewardsOfEvent(db: Db, tenantId: string, eventId: string): Promise<RewardTable[]> {
  return db.selectFrom('rewards').selectAll().where('tenant_id', '=', tenantId).where('event_id', '=', eventId).execute();
}
