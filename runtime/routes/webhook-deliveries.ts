import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { getDelivery, listTenantDeliveries, redeliver } from '../services/webhook-delivery-service.ts';

const Filter = v.strictObject({
  endpointId: v.optional(v.string()),
  status: v.optional(v.picklist(['queued', 'sending', 'delivered', 'failed'])),
  before: v.optional(v.string()),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.minValue(1), v.maxValue(200)), '50'),
});

export const webhookDeliveryRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listTenantDeliveries(c.var.services, c.var.tenant, parseInput(Filter, c.req.query(), 'query'))))
  .get('/:id', async (c) => c.json(await getDelivery(c.var.services, c.var.tenant, c.req.param('id'))))
  .post('/:id/redeliver', async (c) => c.json(await redeliver(c.var.services, c.var.tenant, c.req.param('id')), 202));
