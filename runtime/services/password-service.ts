import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { inTransaction } from '../store/store.ts';
import { findParticipant, findMicrositeParticipant, lockParticipant, setParticipantFields } from '../store/participant-queries.ts';
import { findTenant } from '../store/tenant-queries.ts';
import { revokeTokens } from '../store/token-queries.ts';
import { hashPassword, verifyPassword } from '../security/password-hash.ts';
import { consumeToken, issueToken } from './token-service.ts';
import { accountEmailEnv, programFor, publicLink, queueAccountEmail } from './account-emails.ts';
import { enforceRateLimits, LIMITS } from './rate-limiter.ts';
import { participantBody, participantView } from './views.ts';
import { newLinkSecret } from '../../plugins/mail/link-secret.ts';

// Microsite passwords: set by the tenant's backend, checked at login, reset
// through a mailed single-use link. The public calls answer alike whether or
// not an address exists, and are rate limited per address and per client.

const MINUTE = 60_000;
const DEFAULT_RESET_TTL_MINUTES = 60;

/** Who is calling, for the per-client limits, and how to set Retry-After. */
export type Caller = { client: string | null; setHeader(name: string, value: string): void };

const addressKey = (tenantId: string, email: string) => `${tenantId}\u0000${email.trim().toLowerCase()}`;

export async function setPassword(services: Services, tenant: Tenant, participantId: string, password: string) {
  const hash = await hashPassword(password);
  const now = services.clock.now().toISOString();
  return inTransaction(services.store, async (db) => {
    if (!(await findParticipant(db, tenant.id, participantId))) throw new AppError('not_found', 'participant not found');
    await setParticipantFields(db, tenant.id, participantId, { password_hash: hash, updated_at: now });
    // A reset link mailed before the change must not undo it.
    await revokeTokens(db, tenant.id, participantId, 'password-reset', now);
    return participantBody((await findParticipant(db, tenant.id, participantId))!);
  });
}

/** 200 with the participant, or 401 invalid_credentials for a wrong password, an unknown address or no password set: alike. */
export async function micrositeLogin(services: Services, input: { tenantId: string; email: string; password: string }, caller: Caller) {
  await enforceRateLimits(
    services,
    [
      { limit: LIMITS.loginPerAddress, subject: addressKey(input.tenantId, input.email) },
      { limit: LIMITS.loginPerClient, subject: caller.client },
    ],
    caller.setHeader,
  );
  const db = services.store.db;
  const tenant = await findTenant(db, input.tenantId);
  const row = tenant ? await findMicrositeParticipant(db, tenant.id, input.email.trim()) : undefined;
  const check = await verifyPassword(input.password, row?.password_hash);
  if (!row || !check.ok) throw new AppError('invalid_credentials', 'the email address or password is wrong');
  if (check.needsRehash) {
    await setParticipantFields(db, row.tenant_id, row.id, { password_hash: await hashPassword(input.password) });
  }
  const p = participantView(row);
  return { participant: { id: p.id, email: p.email, firstName: p.firstName, lastName: p.lastName, locale: p.locale, emailVerified: p.emailVerified } };
}

/**
 * Mails a reset link when the address belongs to a participant of the tenant;
 * the caller answers 202 either way. The link goes to PUBLIC_URL, never to a
 * URL from the request: this endpoint is public, and a caller-chosen link
 * would carry the token to the caller.
 */
export async function requestPasswordReset(services: Services, input: { tenantId: string; email: string; programId?: string }, caller: Caller): Promise<void> {
  await enforceRateLimits(
    services,
    [
      { limit: LIMITS.resetPerAddress, subject: addressKey(input.tenantId, input.email) },
      { limit: LIMITS.resetPerClient, subject: caller.client },
    ],
    caller.setHeader,
  );
  const db = services.store.db;
  const tenant = await findTenant(db, input.tenantId);
  if (!tenant) return;
  const row = await findMicrositeParticipant(db, tenant.id, input.email.trim());
  if (!row) return;
  const program = await programFor(services, tenant.id, input.programId);
  const env = await accountEmailEnv(services, tenant, program, 'password-reset');
  if (!env) return;
  const ttlMinutes = program?.settings.passwordResetTtlMinutes ?? DEFAULT_RESET_TTL_MINUTES;
  const now = services.clock.now();
  await inTransaction(services.store, async (db) => {
    const current = (await lockParticipant(db, services.store.dialect, tenant.id, row.id)) ?? row;
    if (current.email !== row.email) return;
    const issued = await issueToken(db, { tenantId: tenant.id, participantId: row.id, purpose: 'password-reset', ttlMs: ttlMinutes * MINUTE, now });
    // The link is rendered with a placeholder for the token; the token itself is sealed (account-emails.ts).
    const secret = newLinkSecret(issued.token);
    await queueAccountEmail(db, services.secrets, env, {
      type: 'password-reset',
      recipient: participantView(current),
      key: `password-reset:${issued.id}`,
      data: { link: publicLink(services, 'reset-password', { token: secret.placeholder }), expiresInMinutes: ttlMinutes, expiresAt: issued.expiresAt },
      secret,
    });
  });
  services.dispatcher.kick();
}

/** Spends a reset token, sets the new password and ends every other outstanding reset link. */
export async function confirmPasswordReset(services: Services, input: { token: string; password: string }, caller: Caller) {
  await enforceRateLimits(services, [{ limit: LIMITS.resetConfirmPerClient, subject: caller.client }], caller.setHeader);
  const hash = await hashPassword(input.password);
  const now = services.clock.now();
  return inTransaction(services.store, async (db) => {
    const spent = await consumeToken(db, 'password-reset', input.token, now);
    if (!(await findParticipant(db, spent.tenant_id, spent.participant_id))) throw new AppError('invalid_token', 'this link is not valid; ask for a new one');
    await setParticipantFields(db, spent.tenant_id, spent.participant_id, { password_hash: hash, updated_at: now.toISOString() });
    await revokeTokens(db, spent.tenant_id, spent.participant_id, 'password-reset', now.toISOString());
    return { participantId: spent.participant_id, passwordSet: true };
  });
}
