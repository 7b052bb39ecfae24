import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { randomToken, sha256Hex } from '../security/hashing.ts';
import type { Db } from '../store/store.ts';
import {
  deleteApiKey,
  deleteWebhookSecret,
  insertApiKey,
  insertWebhookSecret,
  listApiKeys,
  listWebhookSecrets,
  MAX_PER_TENANT,
} from '../store/credential-queries.ts';

// A tenant's API keys and webhook secrets, rotated without downtime: create
// the new one (both work from then on), switch every client, revoke the old.
// A key is kept only as its hash and a secret sealed; each is shown once, when
// created. A tenant always keeps at least one of each.

const SECRET_FIELD = 'webhook_secret';
/** The first characters a credential is listed by (the console also finds the key it is signed in with by it). */
export const hintOf = (value: string) => `${value.slice(0, value.indexOf('_') + 5)}…`;

export async function addApiKey(services: Services, db: Db, tenantId: string) {
  const apiKey = `ar_${randomToken(24)}`;
  const row = { id: `key_${randomToken(12)}`, tenant_id: tenantId, key_hash: await sha256Hex(apiKey), hint: hintOf(apiKey), created_at: services.clock.now().toISOString() };
  if (!(await insertApiKey(db, row))) throw tooMany('API keys');
  return { id: row.id, apiKey, hint: row.hint, createdAt: row.created_at };
}

export async function addWebhookSecret(services: Services, db: Db, tenantId: string) {
  const webhookSecret = `whsec_${randomToken(24)}`;
  const row = {
    id: `whs_${randomToken(12)}`,
    tenant_id: tenantId,
    secret_sealed: await services.secrets.seal(webhookSecret, { tenantId, field: SECRET_FIELD }),
    hint: hintOf(webhookSecret),
    created_at: services.clock.now().toISOString(),
  };
  if (!(await insertWebhookSecret(db, row))) throw tooMany('webhook secrets');
  return { id: row.id, webhookSecret, hint: row.hint, createdAt: row.created_at };
}

const tooMany = (what: string) => new AppError('conflict', `a tenant holds at most ${MAX_PER_TENANT} ${what}; revoke the old one first`);

export const createApiKey = (services: Services, tenant: Tenant) => addApiKey(services, services.store.db, tenant.id);
export const createWebhookSecret = (services: Services, tenant: Tenant) => addWebhookSecret(services, services.store.db, tenant.id);

export async function listCredentials(services: Services, tenant: Tenant) {
  const [keys, secrets] = await Promise.all([listApiKeys(services.store.db, tenant.id), listWebhookSecrets(services.store.db, tenant.id)]);
  return {
    apiKeys: keys.map((k) => ({ id: k.id, hint: k.hint, createdAt: k.created_at })),
    webhookSecrets: secrets.map((s) => ({ id: s.id, hint: s.hint, createdAt: s.created_at })),
  };
}

export async function revokeApiKey(services: Services, tenant: Tenant, id: string) {
  const result = await deleteApiKey(services.store.db, tenant.id, id);
  if (result === 'not_found') throw notFound('API key');
  if (result === 'last') throw new AppError('conflict', 'this is the only API key; create its replacement before revoking it');
}

export async function revokeWebhookSecret(services: Services, tenant: Tenant, id: string) {
  const result = await deleteWebhookSecret(services.store.db, tenant.id, id);
  if (result === 'not_found') throw notFound('webhook secret');
  if (result === 'last') throw new AppError('conflict', 'this is the only webhook secret; create its replacement before revoking it');
}

/** Every webhook secret the tenant holds now (one, or two while rotating), opened. */
export async function openWebhookSecrets(services: Services, tenantId: string): Promise<string[]> {
  const rows = await listWebhookSecrets(services.store.db, tenantId);
  return Promise.all(rows.map((r) => services.secrets.open(r.secret_sealed, { tenantId, field: SECRET_FIELD })));
}
