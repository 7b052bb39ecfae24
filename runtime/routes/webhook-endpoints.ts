import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { idempotent } from '../idempotency.ts';
import { parseInput } from '../validation.ts';
import { readJson } from '../http.ts';
import { WEBHOOK_EVENT_TYPES } from '../../plugins/webhooks/event-types.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { WebhookEndpointShape, WebhookEndpointWithSecretShape } from '../openapi/shapes.ts';
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
  .post('/', idempotent('POST /v1/webhook-endpoints'), async (c) => {
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

const TAGS = ['webhook endpoints'];

export const webhookEndpointDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/webhook-endpoints', auth: 'apiKey', tags: TAGS,
    summary: 'Subscribe a URL to event types',
    description:
      'The URL must be http(s) and resolve to a public address (422 with pointer `/url` otherwise). The signing secret is in this answer only. A tenant has at most 20 endpoints (409 beyond).',
    body: Create,
    idempotent: true,
    responses: { 201: { description: 'the endpoint, with its signing secret', schema: WebhookEndpointWithSecretShape } },
    errors: ['conflict'],
  },
  {
    method: 'get', path: '/v1/webhook-endpoints', auth: 'apiKey', tags: TAGS,
    summary: "The tenant's webhook endpoints",
    responses: { 200: { description: 'every endpoint (never a secret)', schema: v.strictObject({ endpoints: v.array(WebhookEndpointShape) }) } },
  },
  {
    method: 'get', path: '/v1/webhook-endpoints/:id', auth: 'apiKey', tags: TAGS,
    summary: 'One webhook endpoint',
    responses: { 200: { description: 'the endpoint', schema: WebhookEndpointShape } },
  },
  {
    method: 'patch', path: '/v1/webhook-endpoints/:id', auth: 'apiKey', tags: TAGS,
    summary: "Change an endpoint's URL, event types or description",
    body: Update,
    responses: { 200: { description: 'the endpoint', schema: WebhookEndpointShape } },
  },
  {
    method: 'post', path: '/v1/webhook-endpoints/:id/disable', auth: 'apiKey', tags: TAGS,
    summary: 'Stop sending to an endpoint; its deliveries wait',
    responses: { 200: { description: 'the endpoint, disabled', schema: WebhookEndpointShape } },
  },
  {
    method: 'post', path: '/v1/webhook-endpoints/:id/enable', auth: 'apiKey', tags: TAGS,
    summary: 'Send to an endpoint again: its failure run is forgotten and what waited is due at once',
    responses: { 200: { description: 'the endpoint, enabled', schema: WebhookEndpointShape } },
  },
  {
    method: 'post', path: '/v1/webhook-endpoints/:id/rotate-secret', auth: 'apiKey', tags: TAGS,
    summary: 'A new signing secret; the old one keeps signing for `graceSeconds` (default a day, at most a week)',
    description: 'During the grace each delivery carries both signatures. A rotation during a rotation ends the older grace.',
    body: Rotate,
    bodyOptional: true,
    responses: { 200: { description: 'the endpoint, with its new signing secret', schema: WebhookEndpointWithSecretShape } },
  },
  {
    method: 'delete', path: '/v1/webhook-endpoints/:id', auth: 'apiKey', tags: TAGS,
    summary: 'Delete an endpoint',
    responses: { 204: { description: 'deleted' } },
  },
];
