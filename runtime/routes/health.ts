import { Hono } from 'hono';
import { sql } from 'kysely';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { checkReadiness } from '../services/readiness-service.ts';
import { renderMetrics } from '../services/metrics-service.ts';
import { constantTimeEqual } from '../security/hashing.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';

// Probes and metrics. /livez: the process answers (restart it if not).
// /readyz: the database is reachable and migrated and the outbox is moving
// (route traffic to it only then). /health: the summary a person reads.
export const healthRoutes = new Hono<AppEnv>()
  .get('/health', async (c) => {
    try {
      // One row of a table proves the connection and a schema; /readyz checks that every migration ran.
      await sql`select 1 from leases limit 1`.execute(c.var.services.store.db);
    } catch {
      throw new AppError('unavailable', 'the database is not reachable or not migrated');
    }
    const { warnings } = c.var.services;
    return c.json({ status: 'ok', dialect: c.var.services.store.dialect, ...(warnings.length ? { warnings } : {}) });
  })
  .get('/livez', (c) => c.json({ status: 'ok' }))
  .get('/readyz', async (c) => {
    const readiness = await checkReadiness(c.var.services);
    return c.json({ status: readiness.ready ? 'ready' : 'not_ready', checks: readiness.checks }, readiness.ready ? 200 : 503);
  })
  .get('/metrics', async (c) => {
    const token = c.var.services.config.METRICS_TOKEN;
    // Off unless configured: the numbers describe every tenant's traffic.
    if (!token) throw new AppError('not_found', 'no route for GET /metrics (set METRICS_TOKEN to enable it)');
    const given = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!given || !constantTimeEqual(given, token)) throw new AppError('unauthorized', 'the metrics token is required (Authorization: Bearer <METRICS_TOKEN>)');
    return c.text(await renderMetrics(c.var.services), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });

export const healthDocs: RouteDoc[] = [
  {
    method: 'get', path: '/health', auth: 'none', tags: ['operations'],
    summary: 'Liveness and schema check, with configuration warnings (MAIL_CAPTURE)',
    responses: { 200: { description: 'the database answers', schema: v.object({ status: v.literal('ok'), dialect: v.string(), warnings: v.optional(v.array(v.string())) }) } },
    errors: ['unavailable'],
  },
  {
    method: 'get', path: '/livez', auth: 'none', tags: ['operations'],
    summary: 'The process answers',
    responses: { 200: { description: 'alive', schema: v.object({ status: v.literal('ok') }) } },
  },
  {
    method: 'get', path: '/readyz', auth: 'none', tags: ['operations'],
    summary: 'Ready for traffic: database reachable, migrations applied, outbox moving',
    responses: {
      200: { description: 'ready', schema: v.object({ status: v.literal('ready'), checks: v.record(v.string(), v.unknown()) }) },
      503: { description: 'not ready, with the failing checks', schema: v.object({ status: v.literal('not_ready'), checks: v.record(v.string(), v.unknown()) }) },
    },
  },
  {
    method: 'get', path: '/metrics', auth: 'metricsToken', tags: ['operations'],
    summary: 'Prometheus text format (only when METRICS_TOKEN is set)',
    responses: { 200: { description: 'metrics', text: true } },
    errors: ['not_found'],
  },
];
