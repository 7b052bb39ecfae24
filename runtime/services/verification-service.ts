import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { inTransaction } from '../store/store.ts';
import { findParticipant, lockParticipant, setParticipantFields } from '../store/participant-queries.ts';
import { consumeToken, issueToken } from './token-service.ts';
import { accountEmailEnv, programFor, publicLink, queueAccountEmail, redirectSignature } from './account-emails.ts';
import { emailView, participantBody, participantView } from './views.ts';
import { newLinkSecret } from '../../plugins/mail/link-secret.ts';

const HOUR = 3_600_000;
const DEFAULT_TTL_HOURS = 24;

export type VerificationRequest = { redirectUrl?: string; programId?: string };

/**
 * Mails a verification link (PUBLIC_URL/verify?token=…). An address already
 * verified gets nothing, and neither does a tenant that switched the email off:
 * both answer 200 with `email: null`; a queued email answers 202.
 */
export async function requestVerification(services: Services, tenant: Tenant, participantId: string, input: VerificationRequest) {
  const db = services.store.db;
  const row = await findParticipant(db, tenant.id, participantId);
  if (!row) throw new AppError('not_found', 'participant not found');
  const program = await programFor(services, tenant.id, input.programId);
  if (input.programId && !program) throw new AppError('not_found', 'program not found');
  if (row.email_verified === 1) return { status: 200 as const, body: { participantId, emailVerified: true, email: null, expiresAt: null } };
  const env = await accountEmailEnv(services, tenant, program, 'verification');
  if (!env) return { status: 200 as const, body: { participantId, emailVerified: false, email: null, expiresAt: null } };

  const ttlHours = program?.settings.verificationTtlHours ?? DEFAULT_TTL_HOURS;
  const now = services.clock.now();
  const result = await inTransaction(services.store, async (tx) => {
    // Re-read under lock: an address changed meanwhile gets no link meant for the old one.
    const current = (await lockParticipant(tx, services.store.dialect, tenant.id, participantId)) ?? row;
    const issued = await issueToken(tx, { tenantId: tenant.id, participantId, purpose: 'verification', ttlMs: ttlHours * HOUR, now });
    const redirect = input.redirectUrl;
    // The link is rendered with a placeholder for the token; the token itself is sealed (account-emails.ts).
    const secret = newLinkSecret(issued.token);
    const link = publicLink(services, 'verify', {
      token: secret.placeholder,
      redirect,
      sig: redirect ? await redirectSignature(services, issued.token, redirect) : undefined,
    });
    const email = await queueAccountEmail(tx, services.secrets, env, {
      type: 'verification',
      recipient: participantView(current),
      key: `verification:${issued.id}`,
      data: { link, expiresInHours: ttlHours, expiresAt: issued.expiresAt },
      secret,
    });
    return { email, expiresAt: issued.expiresAt };
  });
  services.dispatcher.kick();
  return { status: 202 as const, body: { participantId, emailVerified: false, email: result.email ? emailView(result.email) : null, expiresAt: result.expiresAt } };
}

/** Spends a verification token and marks the address verified. */
export async function confirmVerification(services: Services, token: string) {
  const now = services.clock.now();
  return inTransaction(services.store, async (db) => {
    const spent = await consumeToken(db, 'verification', token, now);
    const row = await findParticipant(db, spent.tenant_id, spent.participant_id);
    if (!row) throw new AppError('invalid_token', 'this link is not valid; ask for a new one');
    if (row.email_verified !== 1) {
      await setParticipantFields(db, spent.tenant_id, spent.participant_id, { email_verified: 1, email_verified_at: now.toISOString(), updated_at: now.toISOString() });
    }
    const body = participantBody((await findParticipant(db, spent.tenant_id, spent.participant_id))!);
    return { participantId: body.id, email: body.email, emailVerified: body.emailVerified, emailVerifiedAt: body.emailVerifiedAt };
  });
}
