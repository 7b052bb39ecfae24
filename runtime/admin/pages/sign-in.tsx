/** @jsxImportSource hono/jsx */
import { AppError } from '../../errors.ts';
import { enforceRateLimits, LIMITS } from '../../services/rate-limiter.ts';
import { requestClient } from '../../request-client.ts';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AdminEnv } from '../admin-env.ts';
import { Document } from '../layout.tsx';
import { InputField, Notice } from '../components.tsx';
import { sha256Hex } from '../../security/hashing.ts';
import { findTenantByKeyHash } from '../../store/tenant-queries.ts';
import { issuePresessionToken, presessionTokenMatches, readSession, startSession } from '../session.ts';
import { safeNext } from '../request-info.ts';
import { takeFlash, type Flash } from '../flash.ts';
import { readForm } from '../../http.ts';

function SignInPage(p: { token: string; next: string; error?: string; flash?: Flash | null; nonce: string }) {
  return (
    <Document title="Sign in" nonce={p.nonce}>
      <main id="main" class="signin">
        <div class="card">
          <h1>Sign in to the console</h1>
          {p.flash && <Notice kind={p.flash.kind}>{p.flash.text}</Notice>}
          {p.error && <Notice kind="error">{p.error}</Notice>}
          <form method="post" action="/admin/sign-in">
            <input type="hidden" name="_csrf" value={p.token} />
            <input type="hidden" name="next" value={p.next} />
            <InputField
              name="apiKey"
              label="API key"
              type="password"
              autocomplete="current-password"
              required
              error={p.error ? 'Check the key and try again.' : undefined}
              hint="The tenant's API key (it starts with ar_), as it was given when the tenant was created."
            />
            <div class="actions">
              <button type="submit">Sign in</button>
            </div>
          </form>
        </div>
      </main>
    </Document>
  );
}

function render(c: Context<AdminEnv>, next: string, error?: string, status = 200) {
  const token = issuePresessionToken(c);
  return c.html(<SignInPage token={token} next={next} error={error} flash={error ? null : takeFlash(c)} nonce={c.var.nonce} />, status as ContentfulStatusCode);
}

export const signInRoutes = new Hono<AdminEnv>()
  .get('/sign-in', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (await readSession(c, c.var.services)) return c.redirect(next, 303);
    return render(c, next);
  })
  .post('/sign-in', async (c) => {
    const form = await readForm(c);
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    if (!presessionTokenMatches(c, form._csrf)) {
      return render(c, next, 'The sign-in form expired (or cookies are blocked). Please sign in again.', 403);
    }
    try {
      // Keys are long random strings, but guessing should still cost something.
      await enforceRateLimits(c.var.services, [{ limit: LIMITS.consoleSignInPerClient, subject: requestClient(c) }], (n, v) => c.header(n, v));
    } catch (error) {
      if (error instanceof AppError) return render(c, next, 'Too many sign-in attempts from here. Please wait a few minutes and try again.', 429);
      throw error;
    }
    const key = typeof form.apiKey === 'string' ? form.apiKey.trim() : '';
    // The same lookup requireTenant makes for the API: the key's SHA-256 against the stored hash.
    const tenant = key ? await findTenantByKeyHash(c.var.services.store.db, await sha256Hex(key)) : undefined;
    if (!tenant) return render(c, next, 'That API key is not valid.', 401);
    await startSession(c, c.var.services, key, tenant.id);
    return c.redirect(next, 303);
  });
