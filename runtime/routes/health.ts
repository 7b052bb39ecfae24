import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { checkReadiness } from '../services/readiness-service.ts';
import { renderMetrics } from '../services/metrics-service.ts';
import { constantTimeEqual } from '../security/hashing.ts';

// Probes and metrics. /livez: the process answers (restart it if not).
// /readyz: the database is reachable and migrated and the outbox is moving
// (route traffic to it only then). /health: the summary a person reads.
export const healthRoutes = new Hono<AppEnv>()
  .get('/health', async (c) => {
    try {
      // Reading a table the latest migration created proves both the connection and the schema.
      await sql`select count(*) from leases`.execute(c.var.services.store.db);
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
