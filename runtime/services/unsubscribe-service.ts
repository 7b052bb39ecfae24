import type { Services, ServiceParts } from '../services.ts';
import type { EmailTable } from '../store/database.ts';
import { AppError } from '../errors.ts';
import { markUnsubscribed } from '../store/participant-queries.ts';
import { isUnsubscribable } from '../../plugins/mail/list-unsubscribe.ts';

// The one-click unsubscribe link of email-action emails. The token is sealed
// (AES-GCM with SECRET_KEY, so it is both secret and unforgeable, and still
// opens after a key rotation while the old key is listed in
// SECRET_KEY_PREVIOUS) and built when the message leaves: it is never stored,
// not even inside the stored email.

const CONTEXT = { tenantId: '', field: 'unsubscribe' };

type Subject = { t: string; p: string };

/** The List-Unsubscribe URL for this email, or undefined when it is not the unsubscribable kind. */
export async function unsubscribeUrl(parts: Pick<ServiceParts, 'config' | 'secrets'>, email: Pick<EmailTable, 'type' | 'tenant_id' | 'participant_id'>): Promise<string | undefined> {
  // One-click unsubscribe is HTTPS only (RFC 8058); an http PUBLIC_URL (local use) sends no header.
  if (!isUnsubscribable(email.type) || !email.participant_id || !parts.config.PUBLIC_URL.startsWith('https://')) return undefined;
  const token = await parts.secrets.seal(JSON.stringify({ t: email.tenant_id, p: email.participant_id } satisfies Subject), CONTEXT);
  const base = parts.config.PUBLIC_URL.endsWith('/') ? parts.config.PUBLIC_URL : `${parts.config.PUBLIC_URL}/`;
  const url = new URL('unsubscribe', base);
  url.searchParams.set('token', token);
  return url.toString();
}

/** Whom a token names; a token that does not open (edited, truncated, another deployment's) is a 400. */
export async function readUnsubscribeToken(services: Services, token: string): Promise<{ tenantId: string; participantId: string }> {
  try {
    if (token.length === 0 || token.length > 1000) throw new Error('length');
    const subject = JSON.parse(await services.secrets.open(token, CONTEXT)) as Subject;
    if (typeof subject.t !== 'string' || typeof subject.p !== 'string') throw new Error('shape');
    return { tenantId: subject.t, participantId: subject.p };
  } catch {
    throw new AppError('invalid_token', 'this unsubscribe link is not valid');
  }
}

/** The one-click POST: unsubscribes at once (again: nothing changes). */
export async function unsubscribe(services: Services, token: string): Promise<void> {
  const { tenantId, participantId } = await readUnsubscribeToken(services, token);
  if (!(await markUnsubscribed(services.store.db, tenantId, participantId, services.clock.now().toISOString()))) {
    throw new AppError('invalid_token', 'this unsubscribe link is not valid');
  }
}
