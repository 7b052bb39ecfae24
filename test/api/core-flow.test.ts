import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, ADMIN_TOKEN, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { checkExchanges } from '../support/openapi-check.ts';
import { referralRules } from './fixtures.ts';

describe.each(DIALECTS)('core flow on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
    const program = await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } });
    expect(program.status).toBe(201);
    // No single threshold by default: the W-9 thresholds come from the table per tax year.
    expect(program.body.settings).toMatchObject({ taxThresholds: {} });
    expect(program.body.settings.w9ThresholdCents).toBeUndefined();
    programId = program.body.id;
    const rules = await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules });
    expect(rules.status).toBe(200);
    expect(rules.body.version).toBe(1);
    await h.request('PUT', '/v1/participants/alice', { token: key, body: { email: 'alice@example.com', firstName: 'Alice', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/bob', { token: key, body: { email: 'bob@example.com', firstName: 'Bob', referredBy: 'alice' } });
  });
  afterAll(() => h.close());

  it('answers health once migrated', async () => {
    const res = await h.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.dialect).toBe(dialect);
  });

  it('fires rules, creates the reward for the referrer and queues emails', async () => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, {
      token: key,
      body: { id: 'evt-1', type: 'purchase', participantId: 'bob', data: { amount: 80 } },
    });
    expect(res.status).toBe(201);
    expect(res.body.fired).toEqual([
      { rule: 'referrer-bonus', action: 'reward' },
      { rule: 'thank-you', action: 'email' },
    ]);
    expect(res.body.rewards).toHaveLength(1);
    expect(res.body.rewards[0]).toMatchObject({ participantId: 'alice', kind: 'cash', amountMinor: 2500, amount: 25, currency: 'USD', status: 'available' });
    expect(res.body.emails.map((e: any) => [e.type, e.to]).sort()).toEqual([
      ['email-action', 'bob@example.com'],
      ['reward', 'alice@example.com'],
    ]);
    await h.services.dispatcher.drain();
    const log = await h.request('GET', '/v1/emails?status=sent', { token: key });
    expect(log.body.emails).toHaveLength(2);
    const thanks = h.capture.messages.find((m) => m.to === 'bob@example.com')!;
    expect(thanks.text).toContain('Thanks for joining us');
    expect(thanks.from).toEqual({ name: 'Acme', address: 'notifications@advocate-rules.local' });
  });

  it('replays a repeated event with the same body and creates nothing new', async () => {
    const body = { id: 'evt-2', type: 'signup', participantId: 'bob' };
    const first = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body });
    const again = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const rewards = await h.request('GET', '/v1/participants/bob/rewards', { token: key });
    expect(rewards.body.rewards.filter((r: any) => r.eventId === 'evt-2')).toHaveLength(1);
  });

  it('refuses the same event id with a different body', async () => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'evt-2', type: 'purchase', participantId: 'bob' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('idempotency_key_reused');
  });

  it('creates one set of effects for concurrent duplicates', async () => {
    const body = { id: 'evt-concurrent', type: 'purchase', participantId: 'bob', data: { amount: 100 } };
    const results = await Promise.all(Array.from({ length: 8 }, () => h.request('POST', `/v1/programs/${programId}/events`, { token: key, body })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    for (const r of results) expect(r.body).toEqual(results.find((x) => x.status === 201)!.body);
    const rewards = await h.request('GET', '/v1/participants/alice/rewards', { token: key });
    expect(rewards.body.rewards.filter((r: any) => r.eventId === 'evt-concurrent')).toHaveLength(1);
    const emails = await h.services.store.db.selectFrom('emails').select('id').where('idempotency_key', 'like', '%evt-concurrent%').execute();
    expect(emails).toHaveLength(2);
  });

  it('evaluates many different concurrent events without dropping rules', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `evt-par-${i}`, type: 'purchase', participantId: 'bob', data: { amount: 60 + i } } }),
      ),
    );
    for (const r of results) {
      expect(r.status).toBe(201);
      expect(r.body.fired.map((f: any) => f.rule)).toEqual(['referrer-bonus', 'thank-you']);
    }
  });

  it('keeps versions immutable and rolls back', async () => {
    const v2 = await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: { rules: [referralRules.rules[1]] } });
    expect(v2.body.version).toBe(2);
    const versions = await h.request('GET', `/v1/programs/${programId}/rules/versions`, { token: key });
    expect(versions.body.versions.map((v: any) => [v.version, v.active])).toEqual([[2, true], [1, false]]);
    const back = await h.request('POST', `/v1/programs/${programId}/rules/rollback`, { token: key, body: { version: 1 } });
    expect(back.status).toBe(200);
    const active = await h.request('GET', `/v1/programs/${programId}/rules`, { token: key });
    expect(active.body.version).toBe(1);
    expect(active.body.rules).toHaveLength(3);
    expect((await h.request('GET', `/v1/programs/${programId}/rules/versions/2`, { token: key })).body.active).toBe(false);
    expect((await h.request('GET', `/v1/programs/${programId}/rules/versions/99`, { token: key })).status).toBe(404);
    expect((await h.request('GET', `/v1/programs/${programId}/rules/versions/latest`, { token: key })).status).toBe(422);
  });

  it('explains a dry run without writing anything', async () => {
    const before = await h.services.store.db.selectFrom('rewards').select('id').execute();
    const res = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'purchase', participantId: 'bob', data: { amount: 10 } } });
    expect(res.status).toBe(200);
    expect(res.body.fired).toEqual([{ rule: 'thank-you', action: 'email' }]);
    const bonus = res.body.rules.find((r: any) => r.name === 'referrer-bonus');
    expect(bonus.fired).toBe(false);
    const amount = bonus.conditions.children[1];
    expect(amount).toMatchObject({ fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: 50, factValue: 10, result: 'fail' });
    const after = await h.services.store.db.selectFrom('rewards').select('id').execute();
    expect(after.length).toBe(before.length);
  });

  it('isolates tenants: another tenant sees 404s and its own empty log', async () => {
    const other = (await h.tenant('Other')).apiKey;
    expect((await h.request('GET', `/v1/programs/${programId}`, { token: other })).status).toBe(404);
    expect((await h.request('GET', '/v1/participants/bob', { token: other })).status).toBe(404);
    expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: other, body: { id: 'x', type: 'signup', participantId: 'bob' } })).status).toBe(404);
    const emailId = (await h.request('GET', '/v1/emails', { token: key })).body.emails[0].id;
    expect((await h.request('GET', `/v1/emails/${emailId}`, { token: other })).status).toBe(404);
    expect((await h.request('GET', '/v1/emails', { token: other })).body.emails).toEqual([]);
  });

  it('rejects missing and wrong credentials', async () => {
    expect((await h.request('GET', `/v1/programs/${programId}`)).status).toBe(401);
    expect((await h.request('GET', `/v1/programs/${programId}`, { token: 'ar_wrong' })).status).toBe(401);
    const noAdmin = await h.request('POST', '/v1/tenants', { token: key, body: { name: 'x' } });
    expect(noAdmin.status).toBe(401);
    expect(noAdmin.body.error.code).toBe('unauthorized');
    expect((await h.request('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: '' } })).status).toBe(422);
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
