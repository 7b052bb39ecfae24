import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { createTestStore, DIALECTS } from '../support/databases.ts';
import { referralRules } from './fixtures.ts';

// Program limits are decided inside the event's transaction after the locks
// (the program's row for a program-wide limit, the recipients' otherwise), so
// concurrent events never pass one: 20 at once against a limit of 5 write 5.

const limits = [
  { name: 'welcome-cap', scope: 'program', measure: 'count', kind: 'credit', period: 'day', max: 5 },
  { name: 'referral-usd', scope: 'referrer', measure: 'amount', currency: 'USD', period: 'rolling', days: 30, max: 12500 },
];

describe.each(DIALECTS)('reward limits on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;
  const post = (body: unknown) => h.request('POST', `/v1/programs/${programId}/events`, { token: key, body });

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends', settings: { limits, timeZone: 'America/New_York' } } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules });
    await h.request('PUT', '/v1/participants/alice', { token: key, body: { email: 'alice@example.com', payoutInfoComplete: true } });
    for (let i = 0; i < 20; i++) {
      await h.request('PUT', `/v1/participants/p${i}`, { token: key, body: { email: `p${i}@example.com`, referredBy: 'alice' } });
    }
  });
  afterAll(() => h.close());

  const countRewards = async (rule: string) =>
    (await h.services.store.db.selectFrom('rewards').select('id').where('program_id', '=', programId).where('rule_name', '=', rule).where('status', 'not in', ['cancelled', 'expired']).execute()).length;

  it('writes exactly 5 of 20 concurrent rewards under a program-wide limit of 5', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ id: `signup-${i}`, type: 'signup', participantId: `p${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const paid = results.filter((r) => r.body.rewards.length === 1);
    const stopped = results.filter((r) => r.body.rewards.length === 0);
    expect(paid).toHaveLength(5);
    for (const r of stopped) expect(r.body.fired).toContainEqual({ rule: 'welcome-credit', action: 'reward', skipped: 'limit:welcome-cap' });
    for (const r of paid) expect(r.body.fired.find((f: any) => f.rule === 'welcome-credit').skipped).toBeUndefined();
    expect(await countRewards('welcome-credit')).toBe(5);
    // The other rules of a stopped event still ran: its thank-you email was queued.
    expect(stopped[0].body.emails).toHaveLength(1);
  });

  it('caps one referrer’s amount across 20 concurrent referrals ($125 = 5 bonuses of $25)', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ id: `buy-${i}`, type: 'purchase', participantId: `p${i}`, data: { amount: 60 } })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(results.filter((r) => r.body.rewards.length === 1)).toHaveLength(5);
    expect(results.filter((r) => r.body.fired.some((f: any) => f.skipped === 'limit:referral-usd'))).toHaveLength(15);
    expect(await countRewards('referrer-bonus')).toBe(5);
  });

  it('says which limit in the replayed answer and the dry run', async () => {
    const replay = await post({ id: 'signup-19', type: 'signup', participantId: 'p19' });
    const first = (await h.services.store.db.selectFrom('events').select('response').where('id', '=', 'signup-19').executeTakeFirstOrThrow()).response;
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(JSON.parse(first));
    const dry = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'purchase', participantId: 'p3', data: { amount: 60 } } });
    expect(dry.status).toBe(200);
    expect(dry.body.fired).toContainEqual({ rule: 'referrer-bonus', action: 'reward', skipped: 'limit:referral-usd' });
    expect(dry.body.fired).toContainEqual({ rule: 'thank-you', action: 'email' });
  });

  it('stops counting a cancelled reward, so the next one fits', async () => {
    const bonus = await h.services.store.db.selectFrom('rewards').select('id').where('program_id', '=', programId).where('rule_name', '=', 'referrer-bonus').executeTakeFirstOrThrow();
    expect((await h.request('POST', `/v1/rewards/${bonus.id}/cancel`, { token: key })).status).toBe(200);
    const next = await post({ id: 'buy-again', type: 'purchase', participantId: 'p1', data: { amount: 70 } });
    expect(next.body.rewards).toHaveLength(1);
    const after = await post({ id: 'buy-more', type: 'purchase', participantId: 'p2', data: { amount: 70 } });
    expect(after.body.rewards).toHaveLength(0);
    expect(after.body.fired).toContainEqual({ rule: 'referrer-bonus', action: 'reward', skipped: 'limit:referral-usd' });
  });

  it('counts a calendar day in the program’s time zone', async () => {
    // The signups above happened at the harness clock's 2026-06-15T12:00Z, 08:00 in New York (EDT).
    await h.request('PUT', '/v1/participants/late', { token: key, body: { email: 'late@example.com' } });
    // 03:30 UTC on the 16th is still the 15th in New York: that day's cap is spent (a UTC day would have room).
    const sameDay = await post({ id: 'late-1', type: 'signup', participantId: 'late', occurredAt: '2026-06-16T03:30:00Z' });
    expect(sameDay.body.rewards).toHaveLength(0);
    expect(sameDay.body.fired).toContainEqual({ rule: 'welcome-credit', action: 'reward', skipped: 'limit:welcome-cap' });
    // 04:30 UTC is 00:30 on the 16th in New York: a new day.
    const nextDay = await post({ id: 'late-2', type: 'signup', participantId: 'late', occurredAt: '2026-06-16T04:30:00Z' });
    expect(nextDay.body.rewards).toHaveLength(1);
  });

  it('counts the rewards of later events in a rolling window, so an event that arrives late cannot overfill one', async () => {
    // Concurrent events are stamped a few milliseconds apart and may take the lock in any order;
    // an event may also be posted late with its own occurredAt. Five referrals at 11:00 fill zed's $125.
    await h.request('PUT', '/v1/participants/zed', { token: key, body: { email: 'zed@example.com' } });
    for (let i = 0; i < 6; i++) await h.request('PUT', `/v1/participants/z${i}`, { token: key, body: { email: `z${i}@example.com`, referredBy: 'zed' } });
    for (let i = 0; i < 5; i++) expect((await post({ id: `z-buy-${i}`, type: 'purchase', participantId: `z${i}`, occurredAt: '2026-06-15T11:00:00Z', data: { amount: 60 } })).body.rewards).toHaveLength(1);
    // One that happened at 10:00, posted now: 30 days to 11:00 would then hold $150.
    const late = await post({ id: 'z-buy-late', type: 'purchase', participantId: 'z5', occurredAt: '2026-06-15T10:00:00Z', data: { amount: 60 } });
    expect(late.body.rewards).toHaveLength(0);
    expect(late.body.fired).toContainEqual({ rule: 'referrer-bonus', action: 'reward', skipped: 'limit:referral-usd' });
  });

  it('refuses a malformed limit with a pointer, and keeps the stored settings', async () => {
    const bad = await h.request('PATCH', `/v1/programs/${programId}`, {
      token: key,
      body: { settings: { limits: [{ name: 'x', scope: 'program', measure: 'amount', period: 'rolling', max: 5 }] } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: any) => d.pointer)).toContain('/settings/limits/0/currency');
    const noDays = await h.request('PATCH', `/v1/programs/${programId}`, {
      token: key,
      body: { settings: { limits: [{ name: 'x', scope: 'program', measure: 'count', period: 'rolling', max: 5 }] } },
    });
    expect(noDays.status).toBe(422);
    expect(noDays.body.error.details.map((d: any) => d.pointer)).toContain('/settings/limits/0/days');
    const dup = await h.request('PATCH', `/v1/programs/${programId}`, { token: key, body: { settings: { limits: [limits[0], limits[0]] } } });
    expect(dup.status).toBe(422);
    expect(dup.body.error.details[0].pointer).toBe('/settings/limits');
    const stored = await h.request('GET', `/v1/programs/${programId}`, { token: key });
    expect(stored.body.settings.limits).toEqual(limits);
  });

  it('removes a setting given as null, back to its default, keeping the others', async () => {
    const set = await h.request('PATCH', `/v1/programs/${programId}`, { token: key, body: { settings: { holdDays: 3, expiresInDays: 30 } } });
    expect(set.body.settings).toMatchObject({ holdDays: 3, expiresInDays: 30 });
    const cleared = await h.request('PATCH', `/v1/programs/${programId}`, { token: key, body: { settings: { holdDays: null, timeZone: null } } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.settings.holdDays).toBeUndefined();
    expect(cleared.body.settings).toMatchObject({ expiresInDays: 30, timeZone: 'UTC', limits });
    const bad = await h.request('PATCH', `/v1/programs/${programId}`, { token: key, body: { settings: { holdDays: 'soon' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].pointer).toBe('/settings/holdDays');
  });
});

// D1 runs an event's statements one by one, with no transaction: emulated here
// by the same SQLite database driven statement by statement (the store says
// "d1"), where concurrent events interleave at every await as they do on D1.
describe('reward limits without transactions (the D1 path)', () => {
  let h: Harness;
  let key: string;
  let programId: string;

  beforeAll(async () => {
    const sqlite = await createTestStore('sqlite');
    h = await createHarness('sqlite', { store: { ...sqlite, dialect: 'd1', transactions: false } });
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends', settings: { limits } } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules });
    await h.request('PUT', '/v1/participants/alice', { token: key, body: { email: 'alice@example.com', payoutInfoComplete: true } });
    for (let i = 0; i < 20; i++) await h.request('PUT', `/v1/participants/p${i}`, { token: key, body: { email: `p${i}@example.com`, referredBy: 'alice' } });
  });
  afterAll(() => h.close());

  it('still writes exactly 5 of 20 concurrent rewards, each insert guarded by its limits', async () => {
    const post = (body: unknown) => h.request('POST', `/v1/programs/${programId}/events`, { token: key, body });
    const signups = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ id: `signup-${i}`, type: 'signup', participantId: `p${i}` })));
    expect(signups.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(signups.filter((r) => r.body.rewards.length === 1)).toHaveLength(5);
    expect(signups.filter((r) => r.body.fired.some((f: any) => f.skipped === 'limit:welcome-cap'))).toHaveLength(15);
    const buys = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ id: `buy-${i}`, type: 'purchase', participantId: `p${i}`, data: { amount: 60 } })));
    expect(buys.filter((r) => r.body.rewards.length === 1)).toHaveLength(5);
    expect(buys.filter((r) => r.body.fired.some((f: any) => f.skipped === 'limit:referral-usd'))).toHaveLength(15);
    const written = await h.services.store.db.selectFrom('rewards').select(['rule_name']).where('program_id', '=', programId).execute();
    expect(written.filter((r) => r.rule_name === 'welcome-credit')).toHaveLength(5);
    expect(written.filter((r) => r.rule_name === 'referrer-bonus')).toHaveLength(5);
    // No email for a reward that was not written: one reward email per reward.
    const rewardEmails = await h.services.store.db.selectFrom('emails').select('id').where('type', '=', 'reward').execute();
    expect(rewardEmails).toHaveLength(10);
  });
});
