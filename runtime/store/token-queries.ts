import type { Db } from './store.ts';
import type { TokenTable } from './database.ts';

export async function insertToken(db: Db, row: TokenTable): Promise<void> {
  await db.insertInto('tokens').values(row).execute();
}

export async function findTokenByHash(db: Db, tokenHash: string) {
  return db.selectFrom('tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Marks a token used only if nobody used it first: of two concurrent confirmations, one wins. */
export async function markTokenUsed(db: Db, id: string, now: string): Promise<boolean> {
  const result = await db.updateTable('tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

/** Ends every outstanding token of one purpose for a participant (a password changed, a newer link sent). */
export async function revokeTokens(db: Db, tenantId: string, participantId: string, purpose: string, now: string): Promise<number> {
  const result = await db
    .updateTable('tokens')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('participant_id', '=', participantId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0);
}

/** Forgets a participant's tokens outright: links sent to an address the participant no longer has. */
export async function deleteTokens(db: Db, tenantId: string, participantId: string): Promise<void> {
  await db.deleteFrom('tokens').where('tenant_id', '=', tenantId).where('participant_id', '=', participantId).execute();
}

/** Expired tokens are useless; the scheduler sweeps them so the table stays small. */
export async function deleteExpiredTokens(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('tokens').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
