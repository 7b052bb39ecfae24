import type { Db } from './store.ts';
import type { AdminSessionTable } from './database.ts';

export async function insertAdminSession(db: Db, row: AdminSessionTable): Promise<void> {
  await db.insertInto('admin_sessions').values(row).execute();
}

/** The session if it is live: not ended and not past its expiry. */
export async function findLiveAdminSession(db: Db, idHash: string, now: string) {
  return db
    .selectFrom('admin_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Sign-out: a conditional write, so it needs no transaction (D1). */
export async function endAdminSession(db: Db, idHash: string, now: string): Promise<void> {
  await db.updateTable('admin_sessions').set({ ended_at: now }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
}

/** Ended or expired sessions are only kept for a while; the scheduler sweeps them. */
export async function deleteStaleAdminSessions(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('admin_sessions').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
