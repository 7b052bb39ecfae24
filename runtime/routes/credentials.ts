import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { idempotent } from '../idempotency.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { CredentialsShape, NewApiKeyShape, NewWebhookSecretShape } from '../openapi/shapes.ts';
import { createApiKey, createWebhookSecret, listCredentials, revokeApiKey, revokeWebhookSecret } from '../services/credential-service.ts';

// Rotation of the tenant's own credentials (API key auth): list, create (shown once), revoke.
export const credentialRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listCredentials(c.var.services, c.var.tenant)))
  .post('/api-keys', idempotent('POST /v1/settings/credentials/api-keys'), async (c) => c.json(await createApiKey(c.var.services, c.var.tenant), 201))
  .delete('/api-keys/:id', async (c) => {
    await revokeApiKey(c.var.services, c.var.tenant, parseInput(Id, c.req.param('id'), 'API key id'));
    return c.body(null, 204);
  })
  .post('/webhook-secrets', idempotent('POST /v1/settings/credentials/webhook-secrets'), async (c) => c.json(await createWebhookSecret(c.var.services, c.var.tenant), 201))
  .delete('/webhook-secrets/:id', async (c) => {
    await revokeWebhookSecret(c.var.services, c.var.tenant, parseInput(Id, c.req.param('id'), 'webhook secret id'));
    return c.body(null, 204);
  });

export const credentialDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/settings/credentials', auth: 'apiKey', tags: ['credentials'],
    summary: "The tenant's API keys and webhook secrets (ids and hints, never the values)",
    responses: { 200: { description: 'the credentials', schema: CredentialsShape } },
  },
  {
    method: 'post', path: '/v1/settings/credentials/api-keys', auth: 'apiKey', tags: ['credentials'],
    summary: 'Create another API key (both work until the old one is revoked)',
    description: 'The key is in this answer only; it is kept as a hash. A tenant holds a bounded number of keys (409 beyond it).',
    idempotent: true,
    responses: { 201: { description: 'the new key', schema: NewApiKeyShape } },
    errors: ['conflict'],
  },
  {
    method: 'delete', path: '/v1/settings/credentials/api-keys/:id', auth: 'apiKey', tags: ['credentials'],
    summary: 'Revoke an API key',
    description: 'The only key cannot be revoked (409): create its replacement first.',
    params: { id: Id },
    responses: { 204: { description: 'revoked' } },
    errors: ['conflict'],
  },
  {
    method: 'post', path: '/v1/settings/credentials/webhook-secrets', auth: 'apiKey', tags: ['credentials'],
    summary: 'Create another webhook secret (inbound signatures made with either are accepted until the old one is revoked)',
    description: 'The secret is in this answer only; it is kept sealed. A tenant holds a bounded number of secrets (409 beyond it).',
    idempotent: true,
    responses: { 201: { description: 'the new secret', schema: NewWebhookSecretShape } },
    errors: ['conflict'],
  },
  {
    method: 'delete', path: '/v1/settings/credentials/webhook-secrets/:id', auth: 'apiKey', tags: ['credentials'],
    summary: 'Revoke a webhook secret',
    description: 'The only secret cannot be revoked (409): create its replacement first.',
    params: { id: Id },
    responses: { 204: { description: 'revoked' } },
    errors: ['conflict'],
  },
];
