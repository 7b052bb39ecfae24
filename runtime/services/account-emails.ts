import type { Services } from '../services.ts';
import type { Db } from '../store/store.ts';
import type { EmailTable } from '../store/database.ts';
import { findProgram } from '../store/program-queries.ts';
import { insertEmailOnce } from '../store/email-queries.ts';
import { suppressedAmong } from '../store/suppression-queries.ts';
import { hmacSha256Hex, constantTimeEqual } from '../security/hashing.ts';
import type { ParticipantView, ProgramView } from '../../plugins/types.ts';
import { composeEmail, type ComposeEnv } from '../../plugins/mail/compose.ts';
import { isTypeEnabled } from '../../plugins/mail/notification-switches.ts';
import { sealLinkSecret, type LinkSecret, type SecretSealer } from '../../plugins/mail/link-secret.ts';
import { programView } from './views.ts';
import { composeEnvFor } from './event-service.ts';

// What the verification and password-reset emails share: the program they
// are sent for (optional: participants belong to the tenant, not a program),
// the links into PUBLIC_URL, and queueing the email in the caller's transaction.

export type AccountEmailType = 'verification' | 'password-reset';

/** The program named in the request, if it is the tenant's; account emails fall back to the tenant's name and default templates. */
export async function programFor(services: Services, tenantId: string, programId: string | undefined): Promise<ProgramView | null> {
  if (!programId) return null;
  const row = await findProgram(services.store.db, tenantId, programId);
  return row ? programView(row) : null;
}

/** The compose environment, or null when the tenant switched this email type off. */
export async function accountEmailEnv(services: Services, tenant: { id: string; name: string }, program: ProgramView | null, type: AccountEmailType): Promise<ComposeEnv | null> {
  const env = await composeEnvFor(services, tenant.id, program, services.clock.now().toISOString());
  return isTypeEnabled(env.switches, type) ? { ...env, brandName: tenant.name } : null;
}

export function publicLink(services: Services, path: string, params: Record<string, string | undefined>): string {
  const url = new URL(path, services.config.PUBLIC_URL.endsWith('/') ? services.config.PUBLIC_URL : `${services.config.PUBLIC_URL}/`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * The page to send the participant to after confirming travels in the link,
 * signed together with the token, so a link cannot be edited into a redirect
 * to somewhere the tenant never chose.
 */
export function redirectSignature(services: Services, token: string, redirectUrl: string): Promise<string> {
  return hmacSha256Hex(services.config.SECRET_KEY, `verification-redirect\u0000${token}\u0000${redirectUrl}`);
}

export async function checkRedirect(services: Services, token: string, redirectUrl: string | undefined, signature: string | undefined): Promise<string | null> {
  if (!redirectUrl || !signature) return null;
  return constantTimeEqual(await redirectSignature(services, token, redirectUrl), signature) ? redirectUrl : null;
}

/**
 * Queues the email in the caller's transaction. The token in its link is not
 * stored: the email is rendered with `secret`'s placeholder in its place, and
 * the token is sealed beside it, to be put in only as the message is sent.
 */
export async function queueAccountEmail(
  db: Db,
  secrets: SecretSealer,
  env: ComposeEnv,
  a: { type: AccountEmailType; recipient: ParticipantView; key: string; data: Record<string, unknown>; secret: LinkSecret },
): Promise<EmailTable | null> {
  const composed = await composeEmail({ type: a.type, template: a.type, recipient: a.recipient, idempotencyKey: a.key, data: a.data }, env);
  if (!composed) return null;
  composed.secret_sealed = await sealLinkSecret(secrets, composed, a.secret);
  // Checked now, not only by the dispatcher, so the answer that queued it says so.
  const reason = (await suppressedAmong(db, env.tenantId, [composed.to_address])).get(composed.to_address.toLowerCase());
  const row: EmailTable = reason === undefined || composed.status !== 'queued' ? composed : { ...composed, status: 'suppressed', next_attempt_at: null, last_response: `suppressed: ${reason}`.slice(0, 1000) };
  return (await insertEmailOnce(db, row)) ? row : null;
}
