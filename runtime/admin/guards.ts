import { createMiddleware } from 'hono/factory';
import type { AdminEnv } from './admin-env.ts';
import { AppError } from '../errors.ts';
import { randomToken, sha256Hex } from '../security/hashing.ts';
import { findTenantByKeyHash } from '../store/tenant-queries.ts';
import { clearSessionCookie, csrfMatches, readSession } from './session.ts';
import { takeFlash } from './flash.ts';
import { apiFor, type ApiHost } from './api-client.ts';
import { readForm } from '../http.ts';

const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD';

/**
 * Every console response: a fresh nonce for the one inline script, a policy
 * that allows nothing else to run, and no caching of tenant data.
 */
export const securityHeaders = createMiddleware<AdminEnv>(async (c, next) => {
  const nonce = randomToken(16);
  c.set('nonce', nonce);
  await next();
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src 'self' data: https:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'same-origin');
  c.header('Cache-Control', 'no-store');
});

/** Browsers label a request another site made; a form post from one is refused before anything reads it. */
export const refuseCrossSite = createMiddleware<AdminEnv>(async (c, next) => {
  const site = c.req.header('sec-fetch-site');
  if (isWrite(c.req.method) && (site === 'cross-site' || site === 'same-site')) {
    throw new AppError('forbidden', 'This form was sent from another site and was refused.');
  }
  await next();
});

/** Resolves the session to its tenant (as requireTenant does for the API) or sends the browser to sign in. */
export function requireSession(host: ApiHost) {
  return createMiddleware<AdminEnv>(async (c, next) => {
    const { services } = c.var;
    const session = await readSession(c, services);
    const tenant = session ? await findTenantByKeyHash(services.store.db, await sha256Hex(session.apiKey)) : undefined;
    if (!session || !tenant || tenant.id !== session.tenantId) {
      clearSessionCookie(c);
      const url = new URL(c.req.url);
      const next = c.req.method === 'GET' ? `?next=${encodeURIComponent(url.pathname + url.search)}` : '';
      return c.redirect(`/admin/sign-in${next}`, 303);
    }
    c.set('tenant', tenant);
    c.set('session', session);
    c.set('api', apiFor(host, c));
    c.set('flash', c.req.method === 'GET' ? takeFlash(c) : null);
    await next();
  });
}

/** Every signed-in form post carries the session's token; SameSite=Strict alone is not relied on. */
export const checkCsrf = createMiddleware<AdminEnv>(async (c, next) => {
  if (isWrite(c.req.method)) {
    const body = await readForm(c);
    if (!csrfMatches(c.var.session, body._csrf)) {
      throw new AppError('forbidden', 'This form has expired or did not come from the console. Reload the page and try again.');
    }
  }
  await next();
});
