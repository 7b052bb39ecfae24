import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

// Posting an event checks its API key in the event's own first read (one
// statement less per event than the tenant API's separate look-up). What a
// caller sees must be what the separate check gave: a missing, unknown or
// revoked key is 401 before anything about the body, the program or the
// participant; another tenant's program is 404; a valid key gets the body's
// own errors.

describe.each(DIALECTS)('the API key of POST /v1/programs/:id/events on %s', (dialect) => {
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  async function setup() {
    const h = await createHarness(dialect);
    harnesses.push(h);
    const tenant = await h.tenant('A');
    const program = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'P' } })).body.id as string;
    await h.request('PUT', '/v1/participants/p1', { token: tenant.apiKey, body: { email: 'p1@example.com' } });
    const post = (token: string | null, body: unknown) => h.request('POST', `/v1/programs/${program}/events`, { token, body });
    return { h, tenant, program, post };
  }

  it('answers 401 to no key, an unknown key and a revoked key, whatever the body', async () => {
    const { h, tenant, post } = await setup();
    const good = { id: 'e1', type: 'signup', participantId: 'p1' };
    for (const body of [good, { id: '' }, '{not json', { ...good, participantId: 'nobody' }]) {
      for (const token of [null, 'ar_unknown_key_0123456789']) {
        const res = await post(token, body);
        expect([res.status, res.body.error.code]).toEqual([401, 'unauthorized']);
      }
    }
    // Revoked: a second key is made, the first revoked; the first stops working at once.
    const oldId = (await h.request('GET', '/v1/settings/credentials', { token: tenant.apiKey })).body.apiKeys[0].id as string;
    const next = (await h.request('POST', '/v1/settings/credentials/api-keys', { token: tenant.apiKey })).body.apiKey as string;
    expect((await post(tenant.apiKey, good)).status).toBe(201);
    expect((await h.request('DELETE', `/v1/settings/credentials/api-keys/${oldId}`, { token: next })).status).toBe(204);
    expect((await post(tenant.apiKey, { ...good, id: 'e2' })).status).toBe(401);
    expect((await post(next, { ...good, id: 'e2' })).status).toBe(201);
  });

  it('gives a valid key the body and resource errors, and scopes the event to the key’s tenant', async () => {
    const { h, tenant, program, post } = await setup();
    const bad = await post(tenant.apiKey, { id: 'e1', type: '', participantId: 'p1' });
    expect([bad.status, bad.body.error.details[0].pointer]).toEqual([422, '/type']);
    expect((await post(tenant.apiKey, { id: 'e1', type: 'signup', participantId: 'nobody' })).status).toBe(422);
    const other = await h.tenant('B');
    await h.request('PUT', '/v1/participants/p1', { token: other.apiKey, body: { email: 'b@example.com' } });
    // Tenant B's key on tenant A's program: as if the program did not exist.
    const res = await h.request('POST', `/v1/programs/${program}/events`, { token: other.apiKey, body: { id: 'e1', type: 'signup', participantId: 'p1' } });
    expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    const ok = await post(tenant.apiKey, { id: 'e1', type: 'signup', participantId: 'p1' });
    expect([ok.status, ok.body.event.programId]).toEqual([201, program]);
    const listed = await h.request('GET', `/v1/programs/${program}/events`, { token: tenant.apiKey });
    expect(listed.body.events.map((e: { id: string }) => e.id)).toEqual(['e1']);
  });
});
