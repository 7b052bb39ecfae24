import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Services } from '../services.ts';
import type { AdminSession } from './admin-env.ts';
import { constantTimeEqual, randomToken, sha256Hex } from '../security/hashing.ts';
import { endAdminSession, findLiveAdminSession, insertAdminSession } from '../store/admin-session-queries.ts';
import { isHttps } from './request-info.ts';

// The session is the tenant's API key sealed (AES-GCM, services.secrets) in a
// cookie the page's scripts cannot read (HttpOnly), that no other site's
// request carries (SameSite=Strict), and that only the console receives
// (Path=/admin). The key is checked against the tenants table on every
// request, so a replaced key ends its sessions. The cookie also names a
// session record (admin_sessions, by the SHA-256 of a random id): sign-out
// ends that record, so a copy of the cookie taken before is refused after.
// A record per sign-in rather than a per-tenant epoch: every person at a
// tenant signs in with the same key, and one of them signing out must not
// sign out the others. Plain inserts and conditional updates: D1 serves it too.

export const SESSION_COOKIE = 'ar_admin';
/** Before sign-in: the token the sign-in form must echo, against login CSRF. */
export const PRESESSION_COOKIE = 'ar_admin_pre';
const SESSION_SECONDS = 8 * 3600;
const SEAL_CONTEXT = { tenantId: 'admin-console', field: 'session' };

const cookieOptions = (c: Context, maxAge: number) =>
  ({ path: '/admin', httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge }) as const;

export async function startSession(c: Context, services: Services, apiKey: string, tenantId: string): Promise<void> {
  const now = services.clock.now();
  const session: AdminSession = { sid: randomToken(32), apiKey, tenantId, csrf: randomToken(24), expiresAt: now.getTime() + SESSION_SECONDS * 1000 };
  await insertAdminSession(services.store.db, {
    id_hash: await sha256Hex(session.sid),
    tenant_id: tenantId,
    created_at: now.toISOString(),
    expires_at: new Date(session.expiresAt).toISOString(),
    ended_at: null,
  });
  setCookie(c, SESSION_COOKIE, await services.secrets.seal(JSON.stringify(session), SEAL_CONTEXT), cookieOptions(c, SESSION_SECONDS));
  deleteCookie(c, PRESESSION_COOKIE, { path: '/admin', secure: isHttps(c) });
}

export async function readSession(c: Context, services: Services): Promise<AdminSession | null> {
  const sealed = getCookie(c, SESSION_COOKIE);
  if (!sealed) return null;
  let session: AdminSession;
  try {
    session = JSON.parse(await services.secrets.open(sealed, SEAL_CONTEXT)) as AdminSession;
  } catch {
    // Forged, truncated, or sealed with a key since retired: signed out.
    return null;
  }
  const now = services.clock.now();
  if (typeof session.sid !== 'string' || !(session.expiresAt > now.getTime())) return null;
  // The cookie alone is not enough: its record must still be live (not signed out).
  const record = await findLiveAdminSession(services.store.db, await sha256Hex(session.sid), now.toISOString());
  return record && record.tenant_id === session.tenantId ? session : null;
}

/** Sign-out: ends the session's record on the server, then drops the cookie. */
export async function endSession(c: Context, services: Services, session: AdminSession): Promise<void> {
  await endAdminSession(services.store.db, await sha256Hex(session.sid), services.clock.now().toISOString());
  clearSessionCookie(c);
}

/**
 * The same session (record, CSRF token, expiry) on another of the tenant's
 * keys: after the console rotates the key it is signed in with, revoking the
 * old one must not sign out the person who just rotated it.
 */
export async function switchSessionKey(c: Context, services: Services, session: AdminSession, apiKey: string): Promise<void> {
  const next: AdminSession = { ...session, apiKey };
  const seconds = Math.max(1, Math.floor((session.expiresAt - services.clock.now().getTime()) / 1000));
  setCookie(c, SESSION_COOKIE, await services.secrets.seal(JSON.stringify(next), SEAL_CONTEXT), cookieOptions(c, seconds));
}

/** Drops the cookie of a session that is already invalid. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/admin', secure: isHttps(c) });
}

/** The sign-in form's token, issued with the form and kept in a cookie for the post to match. */
export function issuePresessionToken(c: Context): string {
  const token = getCookie(c, PRESESSION_COOKIE) ?? randomToken(24);
  setCookie(c, PRESESSION_COOKIE, token, cookieOptions(c, 3600));
  return token;
}

export function presessionTokenMatches(c: Context, submitted: unknown): boolean {
  const expected = getCookie(c, PRESESSION_COOKIE);
  return typeof submitted === 'string' && !!expected && constantTimeEqual(submitted, expected);
}

export function csrfMatches(session: AdminSession, submitted: unknown): boolean {
  return typeof submitted === 'string' && constantTimeEqual(submitted, session.csrf);
}
