import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { countEmailsByStatus, EMAIL_STATUSES, findEmail, listEmails, requeueFailed } from '../store/email-queries.ts';
import { emailDetailView, emailView } from '../services/views.ts';
import { decodeCursor, nextCursor, PageQuery } from './pagination.ts';
import { isTemplateFailure } from '../../plugins/mail/compose.ts';
import { outboxStats } from '../store/outbox-stats-queries.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { EmailDetailShape, EmailShape, EmailSummaryShape, NextShape } from '../openapi/shapes.ts';

const Filter = v.strictObject({
  participantId: v.optional(v.string()),
  status: v.optional(v.picklist(EMAIL_STATUSES)),
  type: v.optional(v.string()),
  ...PageQuery,
});

export const emailRoutes = new Hono<AppEnv>()
  // This tenant's outbox at a glance: what waits, since when, and what failed.
  .get('/summary', async (c) => {
    const { services, tenant } = c.var;
    const s = await outboxStats(services.store.db, services.clock.now().toISOString(), tenant.id);
    return c.json({ queued: s.queued, sending: s.sending, failed: s.failed, oldestDueAt: s.oldestDueAt });
  })
  .get('/', async (c) => {
    const f = parseInput(Filter, c.req.query(), 'query');
    const db = c.var.services.store.db;
    const [rows, counts] = await Promise.all([listEmails(db, c.var.tenant.id, { ...f, before: decodeCursor(f.before) }), countEmailsByStatus(db, c.var.tenant.id, f)]);
    return c.json({ emails: rows.map(emailView), next: nextCursor(rows, f.limit), counts });
  })
  .get('/:emailId', async (c) => {
    const row = await findEmail(c.var.services.store.db, c.var.tenant.id, c.req.param('emailId'));
    if (!row) throw new AppError('not_found', 'email not found');
    return c.json(emailDetailView(row));
  })
  .post('/:emailId/retry', async (c) => {
    const { services, tenant } = c.var;
    const row = await findEmail(services.store.db, tenant.id, c.req.param('emailId'));
    if (!row) throw new AppError('not_found', 'email not found');
    // Nothing was rendered, so there is nothing to send: the template is fixed, and later events use it.
    if (isTemplateFailure(row)) throw new AppError('conflict', 'this email was never rendered (its template failed); fix the template, later emails use it');
    if (!(await requeueFailed(services.store.db, tenant.id, row.id, services.clock.now().toISOString()))) {
      throw new AppError('conflict', `only a failed email can be retried; this one is ${row.status}`);
    }
    services.dispatcher.kick();
    return c.json(emailView((await findEmail(services.store.db, tenant.id, row.id))!), 202);
  });

export const emailDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/emails/summary', auth: 'apiKey', tags: ['emails'],
    summary: "This tenant's outbox at a glance: what waits, since when, and what failed",
    responses: { 200: { description: 'counts of queued, sending and failed emails, and the oldest due time of a queued one', schema: EmailSummaryShape } },
  },
  {
    method: 'get', path: '/v1/emails', auth: 'apiKey', tags: ['emails'],
    summary: 'The email log, newest first',
    query: Filter,
    responses: { 200: { description: 'a page of emails', schema: v.strictObject({ emails: v.array(EmailShape), next: NextShape, counts: v.pipe(v.record(v.string(), v.number()), v.description('emails per status (every status, 0 included) under the participantId and type filters')) }) } },
  },
  {
    method: 'get', path: '/v1/emails/:emailId', auth: 'apiKey', tags: ['emails'],
    summary: 'One email with its body (links with tokens redacted)',
    responses: { 200: { description: 'the email', schema: EmailDetailShape } },
  },
  {
    method: 'post', path: '/v1/emails/:emailId/retry', auth: 'apiKey', tags: ['emails'],
    summary: 'Queue a failed email again',
    responses: { 202: { description: 'queued', schema: EmailShape } },
    errors: ['conflict'],
  },
];
