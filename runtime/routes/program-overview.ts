import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { programOverview } from '../services/program-overview-service.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { AnyObject } from '../openapi/shapes.ts';

export const programOverviewRoutes = new Hono<AppEnv>().get('/:programId/overview', async (c) =>
  c.json(await programOverview(c.var.services, c.var.tenant, c.req.param('programId'))),
);

export const programOverviewDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/programs/:programId/overview', auth: 'apiKey', tags: ['programs'],
    summary: "A program's last 30 UTC days: events per day, rewards by status and value, emails sent/failed/suppressed per day, the outbox, pending reviews, and what needs attention",
    responses: { 200: { description: '{programId, name, since, days, events: {total, perDay}, rewards: [{status, count, value: [{currency, amountMinor}]}], emails: {totals, perDay}, outbox: {queued, sending}, pendingReviews, attention: [{code, message}]}', schema: AnyObject } },
    errors: ['not_found'],
  },
];
