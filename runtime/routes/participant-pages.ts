import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { confirmVerification } from '../services/verification-service.ts';
import { confirmPasswordReset } from '../services/password-service.ts';
import { checkRedirect } from '../services/account-emails.ts';
import { enforceRateLimits, LIMITS } from '../services/rate-limiter.ts';
import { requestClient } from '../request-client.ts';
import { callerOf } from './microsite.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../security/password-hash.ts';
import { readForm } from '../http.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';

// The pages the emailed links open. Opening a link only shows a button: the
// token is spent by the POST it sends, so mail scanners that fetch every link
// cannot use it up before the participant clicks.

type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

export function page(c: Context<AppEnv>, title: string, body: Page, status: 200 | 400 | 422 | 429 = 200) {
  // The token is in this page's URL: no Referer may carry it elsewhere, and no cache may keep it.
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  return c.html(
    html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:420px;margin:4rem auto;padding:0 1rem;color:#1f2933"><h1 style="font-size:1.4rem">${title}</h1>${body}</body></html>`,
    status,
  );
}

const failure = (error: unknown) => {
  if (!(error instanceof AppError)) throw error;
  return { message: error.message, status: (error.status === 429 ? 429 : 400) as 400 | 429 };
};

const field = (form: Record<string, unknown>, name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');

function resetForm(token: string, problem?: string) {
  return html`${problem ? html`<p style="color:#b42318">${problem}</p>` : ''}
<form method="post" action="reset-password"><input type="hidden" name="token" value="${token}">
<p><label>New password<br><input type="password" name="password" minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}" required autocomplete="new-password" style="width:100%"></label></p>
<p><label>Repeat it<br><input type="password" name="repeat" required autocomplete="new-password" style="width:100%"></label></p>
<p><button type="submit">Set my password</button></p></form>`;
}

// Mounted at the root: the limit names its paths, so it never reaches the API's own routes.
const formLimit = bodyLimit({ maxSize: 16 * 1024, onError: () => { throw new AppError('payload_too_large', 'the form is too large'); } });

export const participantPageRoutes = new Hono<AppEnv>()
  .use('/verify', formLimit)
  .use('/reset-password', formLimit)
  .get('/verify', (c) => {
    const { token = '', redirect, sig } = c.req.query();
    return page(
      c,
      'Confirm your email address',
      html`<form method="post" action="verify"><input type="hidden" name="token" value="${token}">${redirect ? html`<input type="hidden" name="redirect" value="${redirect}"><input type="hidden" name="sig" value="${sig ?? ''}">` : ''}<p><button type="submit">Confirm my email address</button></p></form>`,
    );
  })
  .post('/verify', async (c) => {
    const form = await readForm(c);
    const token = field(form, 'token');
    try {
      await enforceRateLimits(c.var.services, [{ limit: LIMITS.verifyConfirmPerClient, subject: requestClient(c) }], (n, value) => c.header(n, value));
      await confirmVerification(c.var.services, token);
    } catch (error) {
      const f = failure(error);
      return page(c, 'This link does not work', html`<p>${f.message}</p>`, f.status);
    }
    const target = await checkRedirect(c.var.services, token, field(form, 'redirect') || undefined, field(form, 'sig') || undefined);
    if (target) return c.redirect(target, 303);
    return page(c, 'Email address confirmed', html`<p>Thank you: your email address is confirmed. You can close this page.</p>`);
  })
  .get('/reset-password', (c) => page(c, 'Choose a new password', resetForm(c.req.query('token') ?? '')))
  .post('/reset-password', async (c) => {
    const form = await readForm(c);
    const token = field(form, 'token');
    const password = field(form, 'password');
    if (password !== field(form, 'repeat')) return page(c, 'Choose a new password', resetForm(token, 'The two passwords differ.'), 422);
    if (!v.is(v.pipe(v.string(), v.minLength(MIN_PASSWORD_LENGTH), v.maxLength(MAX_PASSWORD_LENGTH)), password)) {
      return page(c, 'Choose a new password', resetForm(token, `Use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`), 422);
    }
    try {
      await confirmPasswordReset(c.var.services, { token, password }, callerOf(c));
    } catch (error) {
      const f = failure(error);
      return page(c, 'This link does not work', html`<p>${f.message}</p>`, f.status);
    }
    return page(c, 'Password changed', html`<p>Your new password is set. You can sign in with it now.</p>`);
  });

const pageForm = (fields: Record<string, v.GenericSchema>) => v.object(fields);

export const participantPageDocs: RouteDoc[] = [
  {
    method: 'get', path: '/verify', auth: 'none', tags: ['pages'],
    summary: 'The page an email-verification link opens (a button that confirms)',
    query: v.object({ token: v.optional(v.string()), redirect: v.optional(v.string()), sig: v.optional(v.string()) }),
    responses: { 200: { description: 'an HTML page', html: true } },
  },
  {
    method: 'post', path: '/verify', auth: 'none', tags: ['pages'],
    summary: "The verification page's form",
    bodyType: 'form',
    body: pageForm({ token: v.string(), redirect: v.optional(v.string()), sig: v.optional(v.string()) }),
    responses: { 200: { description: 'an HTML page (also 400 or 429 as a page)', html: true }, 303: { description: 'to the signed redirect URL', headers: { Location: 'the redirect' } } },
  },
  {
    method: 'get', path: '/reset-password', auth: 'none', tags: ['pages'],
    summary: 'The page a password-reset link opens',
    query: v.object({ token: v.optional(v.string()) }),
    responses: { 200: { description: 'an HTML page', html: true } },
  },
  {
    method: 'post', path: '/reset-password', auth: 'none', tags: ['pages'],
    summary: "The reset page's form",
    bodyType: 'form',
    body: pageForm({ token: v.string(), password: v.string(), repeat: v.string() }),
    responses: { 200: { description: 'an HTML page (also 400, 422 or 429 as a page)', html: true } },
  },
];
