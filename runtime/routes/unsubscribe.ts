import { Hono } from 'hono';
import { html } from 'hono/html';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { readUnsubscribeToken, unsubscribe } from '../services/unsubscribe-service.ts';
import { page } from './participant-pages.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';

// The List-Unsubscribe link of email-action emails (RFC 8058). Opening it
// (GET) only shows a button, because mail scanners fetch every link they see;
// the POST, from that button or from the mail client's own one-click
// unsubscribe (body `List-Unsubscribe=One-Click`), unsubscribes at once.

export const unsubscribeRoutes = new Hono<AppEnv>()
  .get('/unsubscribe', async (c) => {
    const token = c.req.query('token') ?? '';
    try {
      await readUnsubscribeToken(c.var.services, token);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return page(c, 'Unsubscribe', html`<p>${error.message}.</p>`, 400);
    }
    const action = `unsubscribe?${new URLSearchParams({ token })}`;
    return page(
      c,
      'Unsubscribe',
      html`<p>Stop these emails? Emails about your rewards and your account still come.</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><p><button type="submit">Unsubscribe</button></p></form>`,
    );
  })
  .post('/unsubscribe', async (c) => {
    try {
      await unsubscribe(c.var.services, c.req.query('token') ?? '');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return page(c, 'Unsubscribe', html`<p>${error.message}.</p>`, 400);
    }
    return page(c, 'You are unsubscribed', html`<p>You will not get these emails any more. Emails about your rewards and your account still come.</p>`);
  });

const TokenQuery = v.object({ token: v.optional(v.pipe(v.string(), v.description('the token from the List-Unsubscribe link'))) });

export const unsubscribeDocs: RouteDoc[] = [
  {
    method: 'get', path: '/unsubscribe', auth: 'none', tags: ['pages'],
    summary: "The page an email's unsubscribe link opens (a button that unsubscribes)",
    description: 'Opening the link changes nothing, since mail scanners fetch every link they see.',
    query: TokenQuery,
    responses: { 200: { description: 'an HTML page (also 400 as a page, for a bad or expired link)', html: true } },
  },
  {
    method: 'post', path: '/unsubscribe', auth: 'none', tags: ['pages'],
    summary: "Unsubscribe at once: the page's button, or the mail client's one-click unsubscribe (RFC 8058)",
    description:
      'The token is in the query; the body (`List-Unsubscribe=One-Click`, form-encoded) is not read. Only email-action emails stop; emails about rewards and the account still come.',
    query: TokenQuery,
    responses: { 200: { description: 'an HTML page (also 400 as a page, for a bad or expired link)', html: true } },
  },
];
