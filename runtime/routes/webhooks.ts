import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { findTenant } from '../store/tenant-queries.ts';
import { openWebhookSecrets } from '../services/credential-service.ts';
import { verifySignature } from '../security/webhook-signature.ts';
import { EventBody, eventResponses, handleEvent } from './events.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { parseJsonBody } from '../http.ts';

// Other systems post events here without an API key: the body is signed with
// the tenant's webhook secret. Every failure answers the same 401, so the
// endpoint does not reveal which tenants exist.
export const webhookRoutes = new Hono<AppEnv>().post('/:tenantId/programs/:programId/events', async (c) => {
  const { services } = c.var;
  const raw = await c.req.text();
  const tenant = await findTenant(services.store.db, c.req.param('tenantId'));
  // One secret, or two while the tenant rotates: either signs.
  const secrets = tenant ? await openWebhookSecrets(services, tenant.id) : [];
  let ok = false;
  for (const secret of secrets) ok = (await verifySignature(c.req.header('x-advocate-signature'), raw, secret, services.clock.now())) || ok;
  if (!tenant || !ok) throw new AppError('invalid_signature', 'the X-Advocate-Signature header is missing, stale or does not match');
  const body = parseJsonBody(raw);
  return handleEvent(c, { id: tenant.id, name: tenant.name }, c.req.param('programId'), body);
});

export const webhookDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/webhooks/:tenantId/programs/:programId/events', auth: 'webhookSignature', tags: ['events'],
    summary: 'Post an event signed with the webhook secret',
    description: 'The same body and answers as `POST /v1/programs/{programId}/events`; every signature failure answers the same 401.',
    body: EventBody,
    responses: eventResponses,
    errors: ['idempotency_key_reused', 'conflict', 'evaluation_failed'],
  },
];
