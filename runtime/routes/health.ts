import { Hono } from 'hono';
import { sql } from 'kysely';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';

export const healthRoutes = new Hono<AppEnv>().get('/health', async (c) => {
  try {
    // Reading a table the latest migration created proves both the connection and the schema.
    await sql`select count(*) from idempotency_keys`.execute(c.var.services.store.db);
  } catch {
    throw new AppError('unavailable', 'the database is not reachable or not migrated');
  }
  return c.json({ status: 'ok', dialect: c.var.services.store.dialect });
});

export const healthDocs: RouteDoc[] = [
  {
    method: 'get', path: '/health', auth: 'none', tags: ['operations'],
    summary: 'Liveness and schema check',
    responses: { 200: { description: 'the database answers and is migrated', schema: v.object({ status: v.literal('ok'), dialect: v.string() }) } },
    errors: ['unavailable'],
  },
];
