import type { Db } from '../store/store.ts';
import { AppError } from '../errors.ts';
import { findTokenByHash, insertToken, markTokenUsed } from '../store/token-queries.ts';
import { randomToken, sha256Hex } from '../security/hashing.ts';

// Single-use tokens behind email links. Only a SHA-256 of the token is kept:
// the token has 256 random bits, so a fast hash is enough, and a copy of the
// table opens no accounts.

export type TokenPurpose = 'verification' | 'password-reset';

export async function issueToken(
  db: Db,
  a: { tenantId: string; participantId: string; purpose: TokenPurpose; ttlMs: number; now: Date },
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = randomToken(32);
  const id = crypto.randomUUID();
  const expiresAt = new Date(a.now.getTime() + a.ttlMs).toISOString();
  await insertToken(db, {
    id,
    tenant_id: a.tenantId,
    participant_id: a.participantId,
    purpose: a.purpose,
    token_hash: await sha256Hex(token),
    expires_at: expiresAt,
    used_at: null,
    created_at: a.now.toISOString(),
  });
  return { id, token, expiresAt };
}

/**
 * Spends a token: 400 invalid_token when unknown (or issued for another
 * purpose), token_used when spent, token_expired when late. The conditional
 * update makes it single-use even under concurrent confirmations.
 */
export async function consumeToken(db: Db, purpose: TokenPurpose, token: string, now: Date) {
  const row = await findTokenByHash(db, await sha256Hex(token));
  if (!row || row.purpose !== purpose) throw new AppError('invalid_token', 'this link is not valid; ask for a new one');
  if (row.used_at !== null) throw new AppError('token_used', 'this link was already used; ask for a new one');
  if (row.expires_at <= now.toISOString()) throw new AppError('token_expired', 'this link has expired; ask for a new one');
  if (!(await markTokenUsed(db, row.id, now.toISOString()))) throw new AppError('token_used', 'this link was already used; ask for a new one');
  return row;
}
