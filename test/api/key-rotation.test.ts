import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/databases.ts';
import { signPayload } from '../../runtime/security/webhook-signature.ts';
import { generateSecretKey, sealedKeyId } from '../../runtime/security/secret-box.ts';
import { sha256Hex } from '../../runtime/security/hashing.ts';
import { migrateToLatest, migrateTo } from '../../runtime/store/migrate.ts';
import { saveEmailSettings, findEmailSettings } from '../../runtime/store/email-settings-queries.ts';
import { rewrapSecrets } from '../../runtime/services/rewrap-service.ts';
import { createSecretBox } from '../../runtime/security/secret-box.ts';

// Rotating a tenant's API key and webhook secret without downtime (create the
// new one, switch clients, revoke the old), and retiring an old SECRET_KEY
// after re-encrypting every stored secret under the new one.

describe.each(DIALECTS)('key rotation on %s', (dialect) => {
  const harnesses: Harness[] = [];
  let store: TestStore | undefined;
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
    await store?.dispose();
    store = undefined;
  });
  const harness = async (o: Parameters<typeof createHarness>[1] = {}) => {
    const h = await createHarness(dialect, o);
    harnesses.push(h);
    return h;
  };

  it('holds two API keys at once: create, switch, revoke the old; never three, never none', async () => {
    const h = await harness();
    const tenant = await h.tenant();
    const listed = (await h.request('GET', '/v1/settings/credentials', { token: tenant.apiKey })).body;
    expect(listed.apiKeys).toEqual([{ id: expect.any(String), hint: `${tenant.apiKey.slice(0, 7)}…`, createdAt: expect.any(String) }]);
    expect(JSON.stringify(listed)).not.toContain(tenant.apiKey);
    const oldId = listed.apiKeys[0].id;

    const created = await h.request('POST', '/v1/settings/credentials/api-keys', { token: tenant.apiKey });
    expect(created.status).toBe(201);
    const next = created.body.apiKey as string;
    expect(next).toMatch(/^ar_/);
    // Both work while clients switch.
    for (const key of [tenant.apiKey, next]) expect((await h.request('GET', '/v1/programs', { token: key })).status).toBe(200);
    expect((await h.request('POST', '/v1/settings/credentials/api-keys', { token: next })).body.error).toMatchObject({ code: 'conflict' });

    expect((await h.request('DELETE', `/v1/settings/credentials/api-keys/${oldId}`, { token: next })).status).toBe(204);
    expect((await h.request('GET', '/v1/programs', { token: tenant.apiKey })).status).toBe(401);
    expect((await h.request('GET', '/v1/programs', { token: next })).status).toBe(200);
    const last = await h.request('DELETE', `/v1/settings/credentials/api-keys/${created.body.id}`, { token: next });
    expect([last.status, last.body.error.code]).toEqual([409, 'conflict']);
    // Only stored as a hash.
    const row = await h.store.db.selectFrom('api_keys').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(await sha256Hex(next));
    expect(JSON.stringify(row)).not.toContain(next);
  });

  it("cannot see or revoke another tenant's keys and secrets", async () => {
    const h = await harness();
    const a = await h.tenant('A');
    const b = await h.tenant('B');
    const bList = (await h.request('GET', '/v1/settings/credentials', { token: b.apiKey })).body;
    await h.request('POST', '/v1/settings/credentials/api-keys', { token: b.apiKey });
    await h.request('POST', '/v1/settings/credentials/webhook-secrets', { token: b.apiKey });
    expect((await h.request('DELETE', `/v1/settings/credentials/api-keys/${bList.apiKeys[0].id}`, { token: a.apiKey })).status).toBe(404);
    expect((await h.request('DELETE', `/v1/settings/credentials/webhook-secrets/${bList.webhookSecrets[0].id}`, { token: a.apiKey })).status).toBe(404);
    const aList = (await h.request('GET', '/v1/settings/credentials', { token: a.apiKey })).body;
    expect(aList.apiKeys).toHaveLength(1);
    expect((await h.request('GET', '/v1/programs', { token: b.apiKey })).status).toBe(200);
    const bad = await h.request('DELETE', '/v1/settings/credentials/api-keys/..%2F..', { token: a.apiKey });
    expect(bad.status).toBe(422);
  });

  it('accepts events signed with either webhook secret while rotating, then only the new one', async () => {
    const h = await harness();
    const tenant = await h.tenant();
    const program = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'P' } })).body;
    await h.request('PUT', `/v1/programs/${program.id}/rules`, { token: tenant.apiKey, body: { rules: [{ name: 'r', conditions: { all: [] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }] } });
    await h.request('PUT', '/v1/participants/p1', { token: tenant.apiKey, body: { email: 'p1@example.com' } });
    const post = async (secret: string, id: string) => {
      const raw = JSON.stringify({ id, type: 'signup', participantId: 'p1' });
      return (await h.request('POST', `/v1/webhooks/${tenant.id}/programs/${program.id}/events`, { body: raw, headers: { 'x-advocate-signature': await signPayload(secret, raw, h.clock.now()) } })).status;
    };
    const oldId = (await h.request('GET', '/v1/settings/credentials', { token: tenant.apiKey })).body.webhookSecrets[0].id;
    const created = await h.request('POST', '/v1/settings/credentials/webhook-secrets', { token: tenant.apiKey });
    expect(created.status).toBe(201);
    const next = created.body.webhookSecret as string;
    expect(await post(tenant.webhookSecret, 'e-1')).toBe(201);
    expect(await post(next, 'e-2')).toBe(201);
    expect((await h.request('DELETE', `/v1/settings/credentials/webhook-secrets/${oldId}`, { token: tenant.apiKey })).status).toBe(204);
    expect(await post(tenant.webhookSecret, 'e-3')).toBe(401);
    expect(await post(next, 'e-4')).toBe(201);
  });

  it('keeps the key and secret of a tenant created before the migration working', async () => {
    store = await createTestStore(dialect);
    await migrateTo(store.db, '2026-11-27T00-00-00_initial');
    const secretKey = generateSecretKey();
    const box = await createSecretBox(secretKey);
    const apiKey = 'ar_from-before-the-rotation-migration';
    const webhookSecret = 'whsec_from-before-the-rotation-migration';
    await store.db
      .insertInto('tenants')
      .values({ id: 'old-tenant', name: 'Old', api_key_hash: await sha256Hex(apiKey), webhook_secret_sealed: await box.seal(webhookSecret, { tenantId: 'old-tenant', field: 'webhook_secret' }), created_at: '2026-01-01T00:00:00.000Z' })
      .execute();
    await migrateToLatest(store.db);
    const h = await harness({ store, env: { SECRET_KEY: secretKey } });
    expect((await h.request('GET', '/v1/programs', { token: apiKey })).status).toBe(200);
    const program = (await h.request('POST', '/v1/programs', { token: apiKey, body: { name: 'P' } })).body;
    await h.request('PUT', `/v1/programs/${program.id}/rules`, { token: apiKey, body: { rules: [{ name: 'r', conditions: { all: [] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }] } });
    await h.request('PUT', '/v1/participants/p1', { token: apiKey, body: { email: 'p1@example.com' } });
    const raw = JSON.stringify({ id: 'e-1', type: 'signup', participantId: 'p1' });
    const res = await h.request('POST', `/v1/webhooks/old-tenant/programs/${program.id}/events`, { body: raw, headers: { 'x-advocate-signature': await signPayload(webhookSecret, raw, h.clock.now()) } });
    expect(res.status).toBe(201);
    // The superseded column matches nothing any more.
    const old = await h.store.db.selectFrom('tenants').select('api_key_hash').where('id', '=', 'old-tenant').executeTakeFirstOrThrow();
    expect(old.api_key_hash).not.toBe(await sha256Hex(apiKey));
  });

  it('re-encrypts every stored secret under the new SECRET_KEY, after which the old key can go', async () => {
    store = await createTestStore(dialect);
    const oldKey = generateSecretKey();
    const newKey = generateSecretKey();
    const before = await harness({ store, env: { SECRET_KEY: oldKey } });
    const tenant = await before.tenant();
    const now = before.clock.now().toISOString();
    await saveEmailSettings(store.db, tenant.id, {
      smtp_password_sealed: await before.services.secrets.seal('smtp password', { tenantId: tenant.id, field: 'smtp_password' }),
      dkim_private_sealed: await before.services.secrets.seal('dkim key', { tenantId: tenant.id, field: 'dkim_private' }),
    }, now);
    await before.request('POST', '/v1/settings/credentials/webhook-secrets', { token: tenant.apiKey });

    // The new key is current, the old one still readable: rewrap.
    const during = await harness({ store, env: { SECRET_KEY: newKey, SECRET_KEY_PREVIOUS: oldKey } });
    expect(await rewrapSecrets(during.services)).toEqual({ keyId: during.services.secrets.keyId, rewrapped: 4, alreadyCurrent: 0, changedMeanwhile: 0 });
    expect(await rewrapSecrets(during.services)).toMatchObject({ rewrapped: 0, alreadyCurrent: 4 });

    // The old key retired: everything still opens.
    const after = await harness({ store, env: { SECRET_KEY: newKey } });
    const settings = (await findEmailSettings(store.db, tenant.id))!;
    expect(await after.services.secrets.open(settings.smtp_password_sealed!, { tenantId: tenant.id, field: 'smtp_password' })).toBe('smtp password');
    expect(await after.services.secrets.open(settings.dkim_private_sealed!, { tenantId: tenant.id, field: 'dkim_private' })).toBe('dkim key');
    const secrets = await store.db.selectFrom('webhook_secrets').select('secret_sealed').where('tenant_id', '=', tenant.id).execute();
    expect(secrets.map((s) => sealedKeyId(s.secret_sealed))).toEqual([after.services.secrets.keyId, after.services.secrets.keyId]);
    const program = (await after.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'P' } })).body;
    await after.request('PUT', `/v1/programs/${program.id}/rules`, { token: tenant.apiKey, body: { rules: [{ name: 'r', conditions: { all: [] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }] } });
    await after.request('PUT', '/v1/participants/p1', { token: tenant.apiKey, body: { email: 'p1@example.com' } });
    const raw = JSON.stringify({ id: 'e-1', type: 'signup', participantId: 'p1' });
    const res = await after.request('POST', `/v1/webhooks/${tenant.id}/programs/${program.id}/events`, { body: raw, headers: { 'x-advocate-signature': await signPayload(tenant.webhookSecret, raw, after.clock.now()) } });
    expect(res.status).toBe(201);
  });
});
