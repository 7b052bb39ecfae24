import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { decodeCursor, nextCursor, PageQuery } from './pagination.ts';
import { NextShape, WebhookDeliveryDetailShape, WebhookDeliveryShape } from '../openapi/shapes.ts';
import { getDelivery, listTenantDeliveries, redeliver } from '../services/webhook-delivery-service.ts';

const Filter = v.strictObject({
  endpointId: v.optional(v.string()),
  status: v.optional(v.picklist(['queued', 'sending', 'delivered', 'failed'])),
  before: PageQuery.before,
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.minValue(1), v.maxValue(200)), '50'),
});

export const webhookDeliveryRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const f = parseInput(Filter, c.req.query(), 'query');
    const { rows, deliveries } = await listTenantDeliveries(c.var.services, c.var.tenant, { ...f, before: decodeCursor(f.before) });
    return c.json({ deliveries, next: nextCursor(rows, f.limit) });
  })
  .get('/:id', async (c) => c.json(await getDelivery(c.var.services, c.var.tenant, c.req.param('id'))))
  .post('/:id/redeliver', async (c) => c.json(await redeliver(c.var.services, c.var.tenant, c.req.param('id')), 202));

export const webhookDeliveryDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/webhook-deliveries', auth: 'apiKey', tags: ['webhook endpoints'],
    summary: 'Outbound webhook deliveries, newest first, by endpoint and status',
    // `limit` as the integer it means (the same bounds as every list).
    query: v.strictObject({ ...Filter.entries, limit: PageQuery.limit }),
    responses: {
      200: {
        description: 'a page of deliveries (without their payloads)',
        schema: v.strictObject({ deliveries: v.array(WebhookDeliveryShape), next: NextShape }),
      },
    },
  },
  {
    method: 'get', path: '/v1/webhook-deliveries/:id', auth: 'apiKey', tags: ['webhook endpoints'],
    summary: 'One delivery, with the payload it sends',
    responses: { 200: { description: 'the delivery', schema: WebhookDeliveryDetailShape } },
  },
  {
    method: 'post', path: '/v1/webhook-deliveries/:id/redeliver', auth: 'apiKey', tags: ['webhook endpoints'],
    summary: 'Send a delivered or failed delivery again: the same message id, a new three-day retry window',
    responses: { 202: { description: 'queued', schema: WebhookDeliveryShape } },
    errors: ['conflict'],
  },
];
