import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, signWebhook, verifyWebhook } from 'advocate-rules/client';
import { createHarness, ADMIN_TOKEN, type Harness } from '../support/app-harness.ts';
import { freePort } from '../../runtime/node/free-port.ts';
import { referralRules } from './fixtures.ts';

// The typed client (package export advocate-rules/client) against the real app
// over a real HTTP server: the paths, bodies and answers it is typed with are
// the OpenAPI document's, so this also proves the document is usable.

describe('advocate-rules/client', () => {
  let h: Harness;
  let server: ServerType;
  let baseUrl: string;

  beforeAll(async () => {
    h = await createHarness('sqlite');
    const port = await freePort();
    server = serve({ fetch: h.app.fetch, port, hostname: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  it('drives a referral from tenant to reward, typed end to end', async () => {
    const operator = createClient({ baseUrl, apiKey: ADMIN_TOKEN });
    const tenant = await operator.POST('/v1/tenants', { body: { name: 'Typed' }, headers: { 'idempotency-key': 'typed-tenant' } });
    expect(tenant.response.status).toBe(201);
    const { apiKey, id: tenantId, webhookSecret } = tenant.data!;

    const api = createClient({ baseUrl, apiKey });
    const program = await api.POST('/v1/programs', { body: { name: 'Friends' } });
    const programId = program.data!.id;
    expect((await api.PUT('/v1/programs/{programId}/rules', { params: { path: { programId } }, body: referralRules })).data?.version).toBe(1);
    await api.PUT('/v1/participants/{participantId}', { params: { path: { participantId: 'alice' } }, body: { email: 'alice@example.com', payoutInfoComplete: true } });
    await api.PUT('/v1/participants/{participantId}', { params: { path: { participantId: 'bob' } }, body: { email: 'bob@example.com', referredBy: 'alice' } });

    const event = await api.POST('/v1/programs/{programId}/events', { params: { path: { programId } }, body: { id: 'o-1', type: 'purchase', participantId: 'bob', data: { amount: 80 } } });
    expect(event.data?.rewards.map((r) => [r.participantId, r.amountMinor])).toEqual([['alice', 2500]]);

    const rewards = await api.GET('/v1/rewards', { params: { query: { participantId: 'alice', limit: 10 } } });
    expect(rewards.data?.rewards).toHaveLength(1);
    expect(rewards.data?.next).toBeNull();

    // A refused request answers the API's error shape, typed.
    const refused = await api.POST('/v1/programs', { body: { name: '' } });
    expect(refused.response.status).toBe(422);
    expect(refused.error?.error.details).toEqual([{ pointer: '/name', message: 'name is required' }]);

    // A webhook signed with the helper is accepted; the helper verifies what it signed.
    const raw = JSON.stringify({ id: 'o-2', type: 'signup', participantId: 'bob' });
    const signature = await signWebhook(webhookSecret, raw, new Date(h.clock.now()));
    expect(await verifyWebhook(signature, raw, webhookSecret, h.clock.now())).toBe(true);
    expect(await verifyWebhook(signature, raw + ' ', webhookSecret, h.clock.now())).toBe(false);
    const hook = await fetch(`${baseUrl}/v1/webhooks/${tenantId}/programs/${programId}/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-advocate-signature': signature }, body: raw });
    expect(hook.status).toBe(201);
  });
});
