import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

// Each 5xx the fuzz run (fuzz.test.ts) found, as a fixed case on both
// databases: PostgreSQL's integer columns are 32-bit, so a number SQLite
// stores quietly is an error there unless the API bounds it first.

describe.each(DIALECTS)('fuzz findings on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    token = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token, body: { email: 'p1@example.com' } });
  });
  afterAll(() => h.close());

  it('answers a rollback to a version beyond any integer column with 422, not 500', async () => {
    for (const version of [6.249419631373295e63, 2 ** 31, 1e9]) {
      const res = await h.request('POST', `/v1/programs/${programId}/rules/rollback`, { token, body: { version } });
      expect(res.status, String(version)).toBe(422);
      expect(res.body.error.details[0].pointer).toBe('/version');
    }
    // The largest version the path form accepts is still looked up (and not found).
    expect((await h.request('POST', `/v1/programs/${programId}/rules/rollback`, { token, body: { version: 999_999_999 } })).status).toBe(404);
  });

  it('refuses a reward amount whose minor units overflow an integer column when the rules are saved, not when an event fires', async () => {
    const rules = (amount: number) => ({
      rules: [{ name: 'big', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'big' }] }, event: { type: 'reward', params: { kind: 'credit', amount, to: 'participant' } } }],
    });
    for (const amount of [30_000_000, 2 ** 31, 99999999999999990000]) {
      const res = await h.request('PUT', `/v1/programs/${programId}/rules`, { token, body: rules(amount) });
      expect(res.status, String(amount)).toBe(422);
      expect(res.body.error.details[0]).toMatchObject({ pointer: '/rules/0/event/params/amount', message: expect.stringContaining('at most') });
    }
    // The largest amount allowed is saved, fires and is stored.
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token, body: rules(10_000_000) })).status).toBe(200);
    const fired = await h.request('POST', `/v1/programs/${programId}/events`, { token, body: { id: 'big-1', type: 'big', participantId: 'p1' } });
    expect(fired.status).toBe(201);
    expect(fired.body.rewards[0]).toMatchObject({ amount: 10_000_000, amountMinor: 1_000_000_000 });
  });
});
