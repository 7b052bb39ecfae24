import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Services } from '../services.ts';
import type { AdminSession } from './admin-env.ts';
import { constantTimeEqual, randomToken } from '../security/hashing.ts';
import { isHttps } from './request-info.ts';

// The session is the tenant's API key sealed (AES-GCM, services.secrets) in a
// cookie the page's scripts cannot read (HttpOnly), that no other site's
// request carries (SameSite=Strict), and that only the console receives
// (Path=/admin). Nothing is stored server-side, so every runtime can serve it;
// the key is checked against the tenants table on every request, so a
// replaced key ends its sessions.

export const SESSION_COOKIE = 'ar_admin';
/** Before sign-in: the token the sign-in form must echo, against login CSRF. */
export const PRESESSION_COOKIE = 'ar_admin_pre';
const SESSION_SECONDS = 8 * 3600;
const SEAL_CONTEXT = { tenantId: 'admin-console', field: 'session' };

const cookieOptions = (c: Context, maxAge: number) =>
  ({ path: '/admin', httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge }) as const;

export async function startSession(c: Context, services: Services, apiKey: string, tenantId: string): Promise<void> {
  const session: AdminSession = { apiKey, tenantId, csrf: randomToken(24), expiresAt: services.clock.now().getTime() + SESSION_SECONDS * 1000 };
  setCookie(c, SESSION_COOKIE, await services.secrets.seal(JSON.stringify(session), SEAL_CONTEXT), cookieOptions(c, SESSION_SECONDS));
  deleteCookie(c, PRESESSION_COOKIE, { path: '/admin', secure: isHttps(c) });
}

export async function readSession(c: Context, services: Services): Promise<AdminSession | null> {
  const sealed = getCookie(c, SESSION_COOKIE);
  if (!sealed) return null;
  try {
    const session = JSON.parse(await services.secrets.open(sealed, SEAL_CONTEXT)) as AdminSession;
    return session.expiresAt > services.clock.now().getTime() ? session : null;
  } catch {
    // Forged, truncated, or sealed with a key since retired: signed out.
    return null;
  }
}

export function endSession(c: Context): void {
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
