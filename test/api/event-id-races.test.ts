import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { referralRules } from './fixtures.ts';

// With a transaction, the event row is the last write and carries the answer:
// concurrent requests reusing one id for different events all evaluate and
// write, and every one but the first to commit must roll back completely.

describe.each(DIALECTS)('concurrent events reusing one id on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules });
    await h.request('PUT', '/v1/participants/alice', { token: key, body: { email: 'alice@example.com', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/bob', { token: key, body: { email: 'bob@example.com', referredBy: 'alice' } });
  });
  afterAll(() => h.close());

  it('keeps only the winner’s rewards and emails; the others get 409 and leave nothing', async () => {
    // A purchase pays alice and mails bob; a signup credits bob and mails bob: different rows under one id.
    const bodies = Array.from({ length: 6 }, (_, i) =>
      i % 2 === 0 ? { id: 'shared', type: 'purchase', participantId: 'bob', data: { amount: 80 + i } } : { id: 'shared', type: 'signup', participantId: 'bob', data: { n: i } },
    );
    const results = await Promise.all(bodies.map((body) => h.request('POST', `/v1/programs/${programId}/events`, { token: key, body })));
    const winners = results.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('idempotency_key_reused');
    }
    const db = h.services.store.db;
    const rewards = await db.selectFrom('rewards').select(['id', 'rule_name']).where('event_id', '=', 'shared').execute();
    const emails = await db.selectFrom('emails').select('id').where('idempotency_key', 'like', '%shared%').execute();
    expect(rewards.map((r) => r.id).sort()).toEqual(winners[0].body.rewards.map((r: any) => r.id).sort());
    expect(emails.map((e) => e.id).sort()).toEqual(winners[0].body.emails.map((e: any) => e.id).sort());
    expect(rewards.length + emails.length).toBeGreaterThan(0);
  });
});
