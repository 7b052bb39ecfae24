import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

// The endpoint API over the real app and database, without the operator's
// private-hosts flag: what a tenant on a production deployment can register.

describe.each(DIALECTS)('webhook endpoints on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let otherKey: string;
  const create = (body: unknown, token = key) => h.request('POST', '/v1/webhook-endpoints', { token, body });

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant('Acme')).apiKey;
    otherKey = (await h.tenant('Other')).apiKey;
  });
  afterAll(() => h.close());

  it('creates an endpoint and shows its Standard Webhooks secret once, sealed at rest', async () => {
    const res = await create({ url: 'https://93.184.216.34/hooks', events: ['reward.created', 'event.processed'], description: 'CRM' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ url: 'https://93.184.216.34/hooks', events: ['reward.created', 'event.processed'], description: 'CRM', status: 'enabled' });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const shown = await h.request('GET', `/v1/webhook-endpoints/${res.body.id}`, { token: key });
    expect(shown.status).toBe(200);
    expect(shown.body.secret).toBeUndefined();
    const listed = await h.request('GET', '/v1/webhook-endpoints', { token: key });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.secret);

    const row = await h.store.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(res.body.secret.slice('whsec_'.length));
    expect(await h.services.secrets.open(row.secret_sealed, { tenantId: row.tenant_id, field: `webhook_endpoint:${row.id}` })).toBe(res.body.secret);
  });

  it.each([
    [{ url: 'http://93.184.216.34/hooks', events: ['reward.created'] }, '/url', 'https'],
    [{ url: 'https://10.1.2.3/hooks', events: ['reward.created'] }, '/url', 'private'],
    [{ url: 'https://127.0.0.1/hooks', events: ['reward.created'] }, '/url', 'private'],
    [{ url: 'https://169.254.169.254/latest/meta-data', events: ['reward.created'] }, '/url', 'private'],
    [{ url: 'https://[::1]/hooks', events: ['reward.created'] }, '/url', 'private'],
    [{ url: 'https://[::ffff:10.0.0.1]/hooks', events: ['reward.created'] }, '/url', 'private'],
    [{ url: 'https://localhost/hooks', events: ['reward.created'] }, '/url', 'private'],
    [{ url: 'https://0x7f.1/hooks', events: ['reward.created'] }, '/url', 'private'],
    [{ url: 'https://93.184.216.34:6379/', events: ['reward.created'] }, '/url', 'port'],
    [{ url: 'https://user:pw@93.184.216.34/', events: ['reward.created'] }, '/url', 'credentials'],
    [{ url: 'not a url', events: ['reward.created'] }, '/url', 'absolute URL'],
    [{ url: `https://93.184.216.34/${'a'.repeat(3000)}`, events: ['reward.created'] }, '/url', '2048'],
    [{ url: 'https://93.184.216.34/', events: ['reward.exploded'] }, '/events/0', 'must be one of'],
    [{ url: 'https://93.184.216.34/', events: [] }, '/events', 'at least one'],
    [{ url: 'https://93.184.216.34/', events: ['email.sent', 'email.sent'] }, '/events', 'twice'],
    [{ url: 'https://93.184.216.34/', events: ['email.sent'], secret: 'mine' }, '/secret', ''],
  ])('refuses %j naming %s', async (body, pointer, words) => {
    const before = await h.store.db.selectFrom('webhook_endpoints').select('id').execute();
    const res = await create(body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const detail = res.body.error.details.find((d: { pointer: string }) => d.pointer === pointer);
    expect(detail?.message).toContain(words);
    expect(await h.store.db.selectFrom('webhook_endpoints').select('id').execute()).toHaveLength(before.length);
  });

  it('updates, disables, enables and deletes; another tenant sees none of it', async () => {
    const made = await create({ url: 'https://93.184.216.34/a', events: ['reward.created'] });
    const id = made.body.id;
    const patched = await h.request('PATCH', `/v1/webhook-endpoints/${id}`, { token: key, body: { url: 'https://93.184.216.34/b', events: ['email.failed'], description: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ url: 'https://93.184.216.34/b', events: ['email.failed'], description: null });
    const badPatch = await h.request('PATCH', `/v1/webhook-endpoints/${id}`, { token: key, body: { url: 'https://192.168.1.1/' } });
    expect(badPatch.status).toBe(422);
    expect((await h.request('GET', `/v1/webhook-endpoints/${id}`, { token: key })).body.url).toBe('https://93.184.216.34/b');

    const disabled = await h.request('POST', `/v1/webhook-endpoints/${id}/disable`, { token: key });
    expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'tenant' });
    const enabled = await h.request('POST', `/v1/webhook-endpoints/${id}/enable`, { token: key });
    expect(enabled.body).toMatchObject({ status: 'enabled', disabledReason: null });

    for (const [method, path] of [
      ['GET', `/v1/webhook-endpoints/${id}`],
      ['PATCH', `/v1/webhook-endpoints/${id}`],
      ['POST', `/v1/webhook-endpoints/${id}/disable`],
      ['POST', `/v1/webhook-endpoints/${id}/rotate-secret`],
      ['DELETE', `/v1/webhook-endpoints/${id}`],
    ] as const) {
      const res = await h.request(method, path, { token: otherKey, body: method === 'PATCH' ? { description: 'mine now' } : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await h.request('GET', '/v1/webhook-endpoints', { token: otherKey })).body.endpoints).toEqual([]);

    expect((await h.request('DELETE', `/v1/webhook-endpoints/${id}`, { token: key })).status).toBe(204);
    expect((await h.request('GET', `/v1/webhook-endpoints/${id}`, { token: key })).status).toBe(404);
  });

  it('rotates the secret: the new one is shown once, the old one stays valid for the grace period', async () => {
    const made = await create({ url: 'https://93.184.216.34/rot', events: ['reward.created'] });
    const rotated = await h.request('POST', `/v1/webhook-endpoints/${made.body.id}/rotate-secret`, { token: key, body: { graceSeconds: 3600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(made.body.secret);
    expect(rotated.body.previousSecretValidUntil).toBe(new Date(h.clock.now().getTime() + 3600_000).toISOString());
    const bad = await h.request('POST', `/v1/webhook-endpoints/${made.body.id}/rotate-secret`, { token: key, body: { graceSeconds: 99 * 86_400 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].pointer).toBe('/graceSeconds');
  });

  it('caps the endpoints of a tenant', async () => {
    const t = await h.tenant('Many');
    for (let i = 0; i < 20; i++) expect((await create({ url: `https://93.184.216.34/${i}`, events: ['email.sent'] }, t.apiKey)).status).toBe(201);
    const over = await create({ url: 'https://93.184.216.34/21', events: ['email.sent'] }, t.apiKey);
    expect(over.status).toBe(409);
    expect(over.body.error.message).toContain('at most 20');
  });
});
