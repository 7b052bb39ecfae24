import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { readJson } from '../http.ts';
import { WEBHOOK_EVENT_TYPES } from '../../plugins/webhooks/event-types.ts';
import { changeEndpoint, createEndpoint, getEndpoint, listTenantEndpoints, removeEndpoint, rotateEndpointSecret, setEndpointEnabled } from '../services/webhook-endpoint-service.ts';

const Url = v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(2048, 'must be at most 2048 characters'));
const Events = v.pipe(
  v.array(v.picklist(WEBHOOK_EVENT_TYPES, `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`), 'must be an array of event types'),
  v.minLength(1, 'must name at least one event type'),
  v.maxLength(WEBHOOK_EVENT_TYPES.length, 'names an event type twice'),
  v.check((list) => new Set(list).size === list.length, 'names an event type twice'),
);
const Description = v.nullable(v.pipe(v.string('must be a string'), v.maxLength(500, 'must be at most 500 characters')));

const Create = v.strictObject({ url: Url, events: Events, description: v.optional(Description) });
const Update = v.strictObject({ url: v.optional(Url), events: v.optional(Events), description: v.optional(Description) });
const Rotate = v.strictObject({
  /** How long the old secret keeps signing; a week at most. */
  graceSeconds: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0), v.maxValue(7 * 86_400)), 86_400),
});

export const webhookEndpointRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = parseInput(Create, await readJson(c));
    return c.json(await createEndpoint(c.var.services, c.var.tenant, input), 201);
  })
  .get('/', async (c) => c.json({ endpoints: await listTenantEndpoints(c.var.services, c.var.tenant) }))
  .get('/:id', async (c) => c.json(await getEndpoint(c.var.services, c.var.tenant, c.req.param('id'))))
  .patch('/:id', async (c) => {
    const input = parseInput(Update, await readJson(c));
    return c.json(await changeEndpoint(c.var.services, c.var.tenant, c.req.param('id'), input));
  })
  .post('/:id/disable', async (c) => c.json(await setEndpointEnabled(c.var.services, c.var.tenant, c.req.param('id'), false)))
  .post('/:id/enable', async (c) => c.json(await setEndpointEnabled(c.var.services, c.var.tenant, c.req.param('id'), true)))
  .post('/:id/rotate-secret', async (c) => {
    const input = parseInput(Rotate, await readJson(c));
    return c.json(await rotateEndpointSecret(c.var.services, c.var.tenant, c.req.param('id'), input.graceSeconds));
  })
  .delete('/:id', async (c) => {
    await removeEndpoint(c.var.services, c.var.tenant, c.req.param('id'));
    return c.body(null, 204);
  });
