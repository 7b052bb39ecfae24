import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { requireAdmin } from '../auth.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { createTenant } from '../services/tenant-service.ts';

const TenantBody = v.strictObject({ name: v.pipe(v.string(), v.trim(), v.minLength(1, 'is required'), v.maxLength(200)) });

export const tenantRoutes = new Hono<AppEnv>().post('/', requireAdmin, async (c) => {
  const body = parseInput(TenantBody, await readJson(c));
  return c.json(await createTenant(c.var.services, body.name), 201);
});
