import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { checkExchanges } from '../support/openapi-check.ts';
import { signPayload } from '../../runtime/security/webhook-signature.ts';

describe.each(DIALECTS)('signed webhooks on %s', (dialect) => {
  let h: Harness;
  let tenant: { id: string; apiKey: string; webhookSecret: string };
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    tenant = await h.tenant();
    programId = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'P' } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, {
      token: tenant.apiKey,
      body: { rules: [{ name: 'signup', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'signup' }] }, event: { type: 'reward', params: { kind: 'credit', amount: 5 } } }] },
    });
    await h.request('PUT', '/v1/participants/p1', { token: tenant.apiKey, body: { email: 'p1@example.com' } });
  });
  afterAll(() => h.close());

  const post = (raw: string, signature?: string) =>
    h.request('POST', `/v1/webhooks/${tenant.id}/programs/${programId}/events`, { body: raw, headers: signature ? { 'x-advocate-signature': signature } : {} });

  it('accepts a valid signature and evaluates once', async () => {
    const raw = JSON.stringify({ id: 'wh-1', type: 'signup', participantId: 'p1' });
    const sig = await signPayload(tenant.webhookSecret, raw, h.clock.now());
    const first = await post(raw, sig);
    expect(first.status).toBe(201);
    expect(first.body.fired).toEqual([{ rule: 'signup', action: 'reward' }]);
    const again = await post(raw, sig);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('rejects missing, wrong, tampered and stale signatures with 401', async () => {
    const raw = JSON.stringify({ id: 'wh-2', type: 'signup', participantId: 'p1' });
    const good = await signPayload(tenant.webhookSecret, raw, h.clock.now());
    const stale = await signPayload(tenant.webhookSecret, raw, new Date(h.clock.now().getTime() - 301_000));
    const wrongKey = await signPayload('whsec_not-the-secret', raw, h.clock.now());
    for (const [body, sig] of [[raw, undefined], [raw, wrongKey], [raw.replace('p1', 'p2'), good], [raw, stale], [raw, 't=abc,v1=00']] as const) {
      const res = await post(body, sig);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_signature');
    }
    expect(await h.services.store.db.selectFrom('events').select('id').where('id', '=', 'wh-2').execute()).toEqual([]);
  });

  it('does not reveal whether a tenant exists', async () => {
    const raw = JSON.stringify({ id: 'wh-3', type: 'signup', participantId: 'p1' });
    const res = await h.request('POST', `/v1/webhooks/no-such-tenant/programs/${programId}/events`, { body: raw, headers: { 'x-advocate-signature': await signPayload(tenant.webhookSecret, raw, h.clock.now()) } });
    expect(res.status).toBe(401);
  });

  it('never stores the webhook secret or API key in clear', async () => {
    const row = await h.services.store.db.selectFrom('tenants').selectAll().where('id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(tenant.webhookSecret);
    expect(JSON.stringify(row)).not.toContain(tenant.apiKey);
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
