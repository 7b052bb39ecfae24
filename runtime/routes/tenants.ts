import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { requireAdmin } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { createTenant } from '../services/tenant-service.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { strictObject, string } from 'valibot';

const TenantBody = v.strictObject({ name: v.pipe(v.string(), v.trim(), v.minLength(1, 'is required'), v.maxLength(200)) });

export const tenantRoutes = new Hono<AppEnv>().post('/', requireAdmin, idempotent('POST /v1/tenants'), async (c) => {
  const body = parseInput(TenantBody, await readJson(c));
  return c.json(await createTenant(c.var.services, body.name), 201);
});

export const tenantDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/tenants', auth: 'operator', tags: ['tenants'],
    summary: 'Create a tenant',
    description: 'The API key and the webhook secret are in this answer only; keep them.',
    body: TenantBody,
    idempotent: true,
    responses: { 201: { description: 'the tenant, its API key and webhook secret', schema: strictObject({ id: string(), name: string(), apiKey: string(), webhookSecret: string() }) } },
  },
];
