import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import { createApiKey, createWebhookSecret, listCredentials, revokeApiKey, revokeWebhookSecret } from '../services/credential-service.ts';

// Rotation of the tenant's own credentials (API key auth): list, create (shown once), revoke.
export const credentialRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listCredentials(c.var.services, c.var.tenant)))
  .post('/api-keys', async (c) => c.json(await createApiKey(c.var.services, c.var.tenant), 201))
  .delete('/api-keys/:id', async (c) => {
    await revokeApiKey(c.var.services, c.var.tenant, parseInput(Id, c.req.param('id'), 'API key id'));
    return c.body(null, 204);
  })
  .post('/webhook-secrets', async (c) => c.json(await createWebhookSecret(c.var.services, c.var.tenant), 201))
  .delete('/webhook-secrets/:id', async (c) => {
    await revokeWebhookSecret(c.var.services, c.var.tenant, parseInput(Id, c.req.param('id'), 'webhook secret id'));
    return c.body(null, 204);
  });
