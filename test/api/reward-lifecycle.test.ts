import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { runDueJobs } from '../../runtime/scheduler.ts';
import { lifecycleRules } from './reward-lifecycle-fixtures.ts';

// Rewards through their lifecycle over the HTTP API: hold and release by the
// scheduler, refunds before and after, redemption, expiry and receipts, with
// the manual clock moved by hand.

const DAY = 86_400_000;

describe.each(DIALECTS)('reward lifecycle on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;
  let seq = 0;

  const participant = async (id: string, extra: Record<string, unknown> = {}) => {
    const res = await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com`, firstName: id, payoutInfoComplete: true, ...extra } });
    expect([200, 201]).toContain(res.status);
  };
  const event = async (participantId: string, type: string, o: { id?: string; data?: Record<string, unknown>; program?: string; occurredAt?: string } = {}) => {
    const res = await h.request('POST', `/v1/programs/${o.program ?? programId}/events`, {
      token: key,
      body: { id: o.id ?? `evt-${++seq}`, type, participantId, data: o.data ?? {}, ...(o.occurredAt ? { occurredAt: o.occurredAt } : {}) },
    });
    expect([200, 201]).toContain(res.status);
    return res.body;
  };
  const reward = async (id: string) => (await h.request('GET', `/v1/rewards/${id}`, { token: key })).body;
  const redeem = (id: string, body?: unknown, headers?: Record<string, string>) => h.request('POST', `/v1/rewards/${id}/redeem`, { token: key, body, headers });
  const emailTypes = async (participantId: string) =>
    (await h.request('GET', `/v1/emails?participantId=${participantId}`, { token: key })).body.emails.map((e: any) => e.type).sort();
  const stats = async (participantId: string, program = programId) => (await h.request('GET', `/v1/participants/${participantId}?programId=${program}`, { token: key })).body.stats;
  const advance = (days: number) => {
    h.clock.advance(days * DAY);
    return runDueJobs(h.services);
  };
  const steps = (r: any) => r.history.map((s: any) => `${s.from ?? '-'}>${s.to}:${s.reason}:${s.actor}`);

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
    const res = await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } });
    programId = res.body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: lifecycleRules })).status).toBe(200);
  });
  afterAll(() => h.close());

  it('holds a reward, releases it once when the hold ends, and sends its email then', async () => {
    await participant('ada');
    const created = await event('ada', 'purchase');
    expect(created.rewards).toHaveLength(1);
    const r = created.rewards[0];
    expect(r).toMatchObject({ status: 'pending', pendingReasons: ['hold'], amountMinor: 2500, remainingMinor: 2500 });
    expect(r.holdUntil).toBe(new Date(h.clock.now().getTime() + 30 * DAY).toISOString());
    expect(r.expiresAt).toBe(new Date(h.clock.now().getTime() + 90 * DAY).toISOString());
    // Told it is on its way (reward-pending), not yet the reward email.
    expect(created.emails.map((e: any) => [e.type, e.subject])).toEqual([['reward-pending', 'Your $25.00 from Friends is on its way']]);
    const pendingMail = (await h.request('GET', `/v1/emails/${created.emails[0].id}`, { token: key })).body;
    expect(pendingMail.text).toContain(`It becomes available on ${r.holdUntil.slice(0, 10)}`);

    await advance(29);
    expect((await reward(r.id)).status).toBe('pending');
    expect((await redeem(r.id)).status).toBe(409);

    h.clock.advance(1 * DAY);
    // Three schedulers at once (three instances): one release, one email.
    const runs = await Promise.all([runDueJobs(h.services), runDueJobs(h.services), runDueJobs(h.services)]);
    expect(runs.reduce((n, d) => n + d['reward-lifecycle'], 0)).toBe(1);
    const released = await reward(r.id);
    expect(released).toMatchObject({ status: 'available', pendingReasons: [] });
    expect(steps(released)).toEqual(['->pending:created:rule', 'pending>available:hold_ended:scheduler']);
    expect(await emailTypes('ada')).toEqual(['reward', 'reward-pending']);
    await advance(1);
    expect(await emailTypes('ada')).toEqual(['reward', 'reward-pending']);

    const listed = await h.request('GET', '/v1/participants/ada/rewards', { token: key });
    expect(listed.body.rewards[0]).toMatchObject({ id: r.id, status: 'available' });
    expect(steps(listed.body.rewards[0])).toEqual(steps(released));
  });

  it('sends no reward-pending email when the tenant turned it off', async () => {
    expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { rewardPending: false } })).status).toBe(200);
    await participant('abe');
    expect((await event('abe', 'purchase')).emails).toEqual([]);
    expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { rewardPending: true } })).status).toBe(200);
  });

  it('keeps a held reward pending for payout details after the hold, until they are complete', async () => {
    await participant('bob', { payoutInfoComplete: false });
    const [r] = (await event('bob', 'purchase')).rewards;
    expect(r.pendingReasons).toEqual(['hold', 'payout_info']);
    await advance(30);
    expect(await reward(r.id)).toMatchObject({ status: 'pending', pendingReasons: ['payout_info'] });
    // The reward email goes with the hold's end; it says the payout waits for details.
    expect((await emailTypes('bob')).filter((t: string) => t === 'reward')).toEqual(['reward']);
    await participant('bob', { payoutInfoComplete: true });
    const done = await reward(r.id);
    expect(done).toMatchObject({ status: 'available', pendingReasons: [] });
    expect(steps(done).at(-1)).toBe('pending>available:payout_info_complete:api');
  });

  it('cancels a held reward on a refund: it never becomes available, and a second refund changes nothing', async () => {
    await participant('cyd');
    await event('cyd', 'purchase', { id: 'order-cyd' });
    expect((await stats('cyd')).cashRewardsThisYear).toBe(2500);
    await advance(3);
    const refund = await event('cyd', 'refund', { id: 'refund-cyd', data: { purchaseEventId: 'order-cyd' } });
    expect(refund.fired).toEqual([{ rule: 'refund', action: 'cancel-rewards' }]);
    expect(refund.cancelledRewards).toHaveLength(1);
    expect(refund.cancelledRewards[0]).toMatchObject({ status: 'cancelled', eventId: 'order-cyd' });
    expect(refund.clawbacks).toEqual([]);
    expect((await stats('cyd')).cashRewardsThisYear).toBe(0);

    const replay = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'refund-cyd', type: 'refund', participantId: 'cyd', data: { purchaseEventId: 'order-cyd' } } });
    expect(replay.status).toBe(200);
    expect(replay.body.cancelledRewards).toHaveLength(1);
    const again = await event('cyd', 'refund', { data: { purchaseEventId: 'order-cyd' } });
    expect(again.cancelledRewards).toEqual([]);

    await advance(40);
    const r = await reward(refund.cancelledRewards[0].id);
    expect(r.status).toBe('cancelled');
    expect(steps(r)).toEqual(['->pending:created:rule', 'pending>cancelled:refund:rule']);
    expect(await emailTypes('cyd')).toEqual(['reward-pending']);
  });

  it('reports what was redeemed before a refund as a clawback and cancels the rest', async () => {
    await participant('dan');
    const [r] = (await event('dan', 'cash-25', { id: 'order-dan' })).rewards;
    expect((await redeem(r.id, { amount: 10 })).status).toBe(200);
    const refund = await event('dan', 'refund', { data: { purchaseEventId: 'order-dan' } });
    expect(refund.cancelledRewards[0]).toMatchObject({ id: r.id, status: 'cancelled', remainingMinor: 1500 });
    expect(refund.clawbacks).toEqual([{ rewardId: r.id, eventId: 'order-dan', participantId: 'dan', redeemedAmountMinor: 1000, currency: 'USD', reason: 'refund' }]);
    // The W-9 total keeps what was paid out, not what was cancelled.
    expect((await stats('dan')).cashRewardsThisYear).toBe(1000);
    // A refund naming an event with nothing to cancel, or no event id at all, cancels nothing.
    expect((await event('dan', 'refund', { data: { purchaseEventId: 'no-such-order' } })).cancelledRewards).toEqual([]);
    // Nor one naming another program's event: a refund reaches only its own program.
    const other = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Other' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${other}/rules`, { token: key, body: lifecycleRules })).status).toBe(200);
    const [elsewhere] = (await event('dan', 'cash-25', { id: 'order-dan-elsewhere', program: other })).rewards;
    expect((await event('dan', 'refund', { data: { purchaseEventId: 'order-dan-elsewhere' } })).cancelledRewards).toEqual([]);
    expect((await reward(elsewhere.id)).status).toBe('available');
    expect((await event('dan', 'refund', { data: {} })).fired).toEqual([{ rule: 'refund', action: 'cancel-rewards', skipped: 'the event data has no event id at $.purchaseEventId' }]);
  });

  it('redeems in part and in full, and refuses other states with 409', async () => {
    await participant('eve');
    const [r] = (await event('eve', 'cash-25')).rewards;
    const part = await redeem(r.id, { amount: 10.5 });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ status: 'available', remainingMinor: 1450, remainingAmount: 14.5 });
    const tooMuch = await redeem(r.id, { amount: 20 });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.details).toEqual([{ pointer: '/amount', message: 'is more than the remaining value' }]);
    const bad = await redeem(r.id, { amount: 0.001 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].pointer).toBe('/amount');
    const rest = await redeem(r.id);
    expect(rest.body).toMatchObject({ status: 'redeemed', remainingMinor: 0 });
    expect(steps(rest.body)).toEqual(['->available:created:rule', 'available>available:redeemed:api', 'available>redeemed:redeemed:api']);
    expect(rest.body.history.map((s: any) => s.amountMinor)).toEqual([null, 1050, 1450]);
    const again = await redeem(r.id);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', details: [{ pointer: '/status', message: 'is redeemed' }] });
    expect((await h.request('POST', `/v1/rewards/${r.id}/cancel`, { token: key })).status).toBe(409);
    expect((await redeem('no-such-reward')).status).toBe(404);
  });

  it('answers a retried redemption with the same Idempotency-Key without redeeming again', async () => {
    await participant('fay');
    const [r] = (await event('fay', 'cash-25')).rewards;
    const first = await redeem(r.id, { amount: 5 }, { 'idempotency-key': 'pay-1' });
    const retry = await redeem(r.id, { amount: 5 }, { 'idempotency-key': 'pay-1' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.remainingMinor).toBe(2000);
    expect(first.body.remainingMinor).toBe(2000);
    expect((await redeem(r.id, { amount: 5 }, { 'idempotency-key': 'pay-2' })).body.remainingMinor).toBe(1500);
    // Retries racing with one key redeem once: the others replay or are told to retry.
    const racing = await Promise.all([1, 2, 3].map(() => redeem(r.id, { amount: 5 }, { 'idempotency-key': 'pay-3' })));
    expect(racing.every((x) => x.status === 200 || x.status === 409)).toBe(true);
    const after = await reward(r.id);
    expect(after.remainingMinor).toBe(1000);
    expect(after.history.filter((s: any) => s.reason === 'redeemed')).toHaveLength(3);
  });

  it('never redeems more than there is when redemptions race', async () => {
    await participant('gus');
    const [r] = (await event('gus', 'cash-25')).rewards;
    const results = await Promise.all(Array.from({ length: 5 }, () => redeem(r.id, { amount: 10 })));
    expect(results.map((x) => x.status).sort()).toEqual([200, 200, 409, 409, 409]);
    const after = await reward(r.id);
    expect(after).toMatchObject({ status: 'available', remainingMinor: 500 });
    expect(after.history.filter((s: any) => s.reason === 'redeemed')).toHaveLength(2);
  });

  it('expires unredeemed value; expired rewards count nowhere', async () => {
    await participant('hen');
    const [credit] = (await event('hen', 'instant-credit')).rewards;
    expect(credit.expiresAt).toBe(new Date(h.clock.now().getTime() + 10 * DAY).toISOString());
    const [cash] = (await event('hen', 'purchase')).rewards;
    expect(await stats('hen')).toMatchObject({ rewardCount: 2, cashRewardsThisYear: 2500 });
    await advance(10);
    const expired = await reward(credit.id);
    expect(expired).toMatchObject({ status: 'expired', remainingMinor: 1000 });
    expect(steps(expired).at(-1)).toBe('available>expired:expired:scheduler');
    expect((await redeem(credit.id)).status).toBe(409);
    await advance(80); // hold ends at 30 days, expiry 60 days later
    expect((await reward(cash.id)).status).toBe('expired');
    expect(await stats('hen')).toMatchObject({ rewardCount: 0, cashRewardsThisYear: 0 });
  });

  it('keeps a receipt that outlives a change of the rules', async () => {
    await participant('ivy');
    const [r] = (await event('ivy', 'cash-25', { id: 'receipt-evt', data: { order: 'A-1' } })).rewards;
    const changed = { rules: lifecycleRules.rules.map((x: any) => (x.name === 'cash-25' ? { ...x, conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'other' }] } } : x)) };
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: changed })).status).toBe(200);
    const receipt = await h.request('GET', `/v1/rewards/${r.id}/receipt`, { token: key });
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({
      rewardId: r.id,
      eventId: 'receipt-evt',
      event: { type: 'cash-25', data: { order: 'A-1' } },
      rule: 'cash-25',
      ruleVersion: 1,
      conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'cash-25' }] },
      action: { type: 'reward', params: { kind: 'cash', amount: 25 } },
    });
    expect(receipt.body.ruleContentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(receipt.body.trace).toEqual({
      conditions: [{ pointer: '/rules/2/conditions/all/0', fact: 'event', path: '$.type', operator: 'equal', value: 'cash-25', factValue: 'cash-25' }],
      truncated: false,
    });
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: lifecycleRules })).status).toBe(200);
  });

  it("does not show another tenant's reward", async () => {
    await participant('jay');
    const [r] = (await event('jay', 'cash-25')).rewards;
    const other = (await h.tenant('Other')).apiKey;
    for (const [method, path] of [['GET', `/v1/rewards/${r.id}`], ['GET', `/v1/rewards/${r.id}/receipt`], ['POST', `/v1/rewards/${r.id}/redeem`]]) {
      expect((await h.request(method, path, { token: other })).status).toBe(404);
    }
    expect((await reward(r.id)).remainingMinor).toBe(2500);
  });
});
