import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailHarness, type MailHarness } from '../support/mail-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { referralRules } from './fixtures.ts';
import { statusChanges } from './review-fixtures.ts';
import { runDueJobs } from '../../runtime/scheduler.ts';

// The referral checks and the review queue together, end to end: real HTTP
// through the app, a real SMTP server on loopback reading what was sent, the
// clock moved by hand and the scheduler run as the timers run it. A referral
// the checks flag pays its referrer only after a reviewer approves, and the
// reward email goes exactly once, then.

const DAY = 86_400_000;
const reviewAll = { selfReferral: { outcome: 'review' }, cycle: { outcome: 'allow' }, rate: { outcome: 'review', count: 1, windowMinutes: 30 }, disposableEmail: { outcome: 'review' }, blocked: { outcome: 'allow' } };

describe.each(DIALECTS)('review flow on %s', (dialect) => {
  let h: MailHarness;
  let receiver: WebhookReceiver;
  let tenant: { id: string; apiKey: string };
  let programId: string;
  let seq = 0;

  const as = () => ({ token: tenant.apiKey });
  const put = (id: string, body: Record<string, unknown>) => h.request('PUT', `/v1/participants/${id}`, { ...as(), body });
  const settle = (settings: Record<string, unknown>) => h.request('PATCH', `/v1/programs/${programId}`, { ...as(), body: { settings } });
  const purchase = async (participantId: string) => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { ...as(), body: { id: `buy-${++seq}`, type: 'purchase', participantId, data: { amount: 60 } } });
    expect(res.status).toBe(201);
    return res.body;
  };
  /** A referrer and the one it refers, the latter at `email`. */
  const referral = async (referrer: string, referrerEmail: string, referred: string, email: string) => {
    expect((await put(referrer, { email: referrerEmail, payoutInfoComplete: true })).status).toBe(201);
    const res = await put(referred, { email, referredBy: referrer });
    expect(res.status).toBe(201);
    return res.body;
  };
  /** The referral-bonus emails the SMTP server received for an address (subject "You earned $25.00 …"). */
  const bonusMails = async (address: string) => (await h.inbox(address)).filter((m) => m.subject.startsWith('You earned $25.00'));
  const reward = async (id: string) => (await h.request('GET', `/v1/rewards/${id}`, as())).body;
  const referrerReward = (body: any, referrer: string) => body.rewards.find((r: any) => r.participantId === referrer);
  const announced = (rewardId: string) => statusChanges(h.services.store.db, tenant.id, rewardId);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await createMailHarness(dialect, { env: { ALLOW_PRIVATE_WEBHOOK_HOSTS: 'true' }, webhookCa: [receiver.cert.cert] });
    tenant = await h.tenant('Acme');
    programId = (await h.request('POST', '/v1/programs', { ...as(), body: { name: 'Friends' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { ...as(), body: referralRules })).status).toBe(200);
    expect((await settle({ referralChecks: reviewAll })).status).toBe(200);
    const hook = await h.request('POST', '/v1/webhook-endpoints', { ...as(), body: { url: receiver.url('/hooks'), events: ['reward.status_changed'] } });
    expect(hook.status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('flags a self-referral, holds its reward for review without email, and approval sends the email exactly once', async () => {
    // The same Gmail mailbox spelled another way.
    const referred = await referral('sam', 'Sam.Smith@gmail.com', 'sam-alt', 'samsmith+deals@googlemail.com');
    expect(referred.referralFlags).toEqual(['selfReferral']);
    const res = await purchase('sam-alt');
    const held = referrerReward(res, 'sam');
    expect(held).toMatchObject({ status: 'pending', pendingReasons: ['review'], amountMinor: 2500 });
    expect(res.emails.map((e: any) => e.type)).toEqual(['email-action']);

    const queue = await h.request('GET', '/v1/reviews?participantId=sam', as());
    expect(queue.status).toBe(200);
    expect(queue.body.reviews).toHaveLength(1);
    expect(queue.body.reviews[0]).toMatchObject({ id: held.id, programId, status: 'pending', pendingReasons: ['review'] });
    expect(queue.body.reviews[0].reviewFlags).toEqual([{ check: 'selfReferral', detail: 'the referrer has the same mailbox' }]);
    expect(await bonusMails('Sam.Smith@gmail.com')).toHaveLength(0);

    const approved = await h.request('POST', `/v1/rewards/${held.id}/approve`, { ...as(), body: { note: 'two addresses, one person, allowed by terms' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'available', pendingReasons: [], reviewFlags: [{ check: 'selfReferral' }] });
    expect(approved.body.history.at(-1)).toMatchObject({ from: 'pending', to: 'available', reason: 'review_approved', actor: 'api', note: 'two addresses, one person, allowed by terms' });
    expect(await announced(held.id)).toEqual([['pending', 'available']]);
    const mails = await bonusMails('Sam.Smith@gmail.com');
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('You earned $25.00 from Friends');

    // A second approval is refused, and nothing is sent again however often the outbox is drained.
    expect((await h.request('POST', `/v1/rewards/${held.id}/approve`, as())).status).toBe(409);
    await runDueJobs(h.services);
    expect(await bonusMails('Sam.Smith@gmail.com')).toHaveLength(1);
    expect((await h.request('GET', '/v1/reviews?participantId=sam', as())).body.reviews).toEqual([]);
  });

  it('keeps the email back when the hold ends during the review; approval after sends it once', async () => {
    expect((await settle({ holdDays: 3, referralChecks: reviewAll })).status).toBe(200);
    try {
      // A second referral by the same referrer inside 30 minutes (more than 1), at a temporary-mail domain.
      await referral('tia', 'tia@example.com', 'tia-1', 'first@example.org');
      // Written naming the program, the participant's flags follow its settings (a rate of 1, not the default 3).
      const second = await h.request('PUT', `/v1/participants/tia-2?programId=${programId}`, { ...as(), body: { email: 'second@mailinator.com', referredBy: 'tia' } });
      expect(second.status).toBe(201);
      expect(second.body.referralFlags).toEqual(['rate', 'disposableEmail']);
      const res = await purchase('tia-2');
      const held = referrerReward(res, 'tia');
      expect(held).toMatchObject({ status: 'pending', pendingReasons: ['hold', 'review'] });
      // Neither the reward email nor the "on its way" one while a reviewer may deny it.
      expect(res.emails.map((e: any) => e.type)).toEqual(['email-action']);
      const [listed] = (await h.request('GET', '/v1/reviews?participantId=tia', as())).body.reviews;
      expect(listed.reviewFlags.map((f: any) => f.check)).toEqual(['rate', 'disposableEmail']);
      expect(listed.reviewFlags.every((f: any) => typeof f.detail === 'string' && f.detail.length > 0)).toBe(true);

      h.clock.advance(4 * DAY);
      await runDueJobs(h.services);
      expect(await reward(held.id)).toMatchObject({ status: 'pending', pendingReasons: ['review'] });
      expect(await bonusMails('tia@example.com')).toHaveLength(0);
      expect((await h.inbox('tia@example.com')).map((m) => m.subject)).toEqual([]);
      expect(await announced(held.id)).toEqual([]);

      const approved = await h.request('POST', `/v1/rewards/${held.id}/approve`, as());
      expect(approved.body).toMatchObject({ status: 'available', pendingReasons: [] });
      expect(approved.body.history.map((s: any) => s.reason)).toEqual(['created', 'hold_ended', 'review_approved']);
      expect(await bonusMails('tia@example.com')).toHaveLength(1);
      expect(await announced(held.id)).toEqual([['pending', 'available']]);
      h.clock.advance(DAY);
      await runDueJobs(h.services);
      expect(await bonusMails('tia@example.com')).toHaveLength(1);
    } finally {
      await settle({ holdDays: 0, referralChecks: reviewAll });
    }
  });

  it('approving a reward still waiting for a W-9 sends its email saying it is held, as creation would have', async () => {
    expect((await settle({ w9Hold: true, w9ThresholdCents: 1000, referralChecks: reviewAll })).status).toBe(200);
    try {
      await referral('wes', 'wes@example.com', 'wes-p', 'pal@mailinator.com');
      const held = referrerReward(await purchase('wes-p'), 'wes');
      expect(held).toMatchObject({ status: 'pending', pendingReasons: ['review', 'w9_required'] });
      expect(await bonusMails('wes@example.com')).toHaveLength(0);
      const approved = await h.request('POST', `/v1/rewards/${held.id}/approve`, as());
      expect(approved.body).toMatchObject({ status: 'pending', pendingReasons: ['w9_required'] });
      const mails = await bonusMails('wes@example.com');
      expect(mails).toHaveLength(1);
      expect(mails[0].text).toContain('We will pay it out as soon as your tax and banking details are complete.');
    } finally {
      await settle({ w9Hold: false, w9ThresholdCents: 60_000, referralChecks: reviewAll });
    }
  });

  it('approving a reward still on hold sends the "on its way" email creation held back; the hold’s end the reward email', async () => {
    expect((await settle({ holdDays: 3, referralChecks: reviewAll })).status).toBe(200);
    try {
      await referral('xia', 'xia@example.com', 'xia-p', 'mate@mailinator.com');
      const held = referrerReward(await purchase('xia-p'), 'xia');
      expect(held).toMatchObject({ status: 'pending', pendingReasons: ['hold', 'review'] });
      const onItsWay = async () => (await h.inbox('xia@example.com')).filter((m) => m.subject === 'Your $25.00 from Friends is on its way');
      expect(await onItsWay()).toHaveLength(0);
      const approved = await h.request('POST', `/v1/rewards/${held.id}/approve`, as());
      expect(approved.body).toMatchObject({ status: 'pending', pendingReasons: ['hold'] });
      expect(await onItsWay()).toHaveLength(1);
      expect(await bonusMails('xia@example.com')).toHaveLength(0);
      h.clock.advance(4 * DAY);
      await runDueJobs(h.services);
      expect(await reward(held.id)).toMatchObject({ status: 'available' });
      expect(await bonusMails('xia@example.com')).toHaveLength(1);
      expect(await onItsWay()).toHaveLength(1);
    } finally {
      await settle({ holdDays: 0, referralChecks: reviewAll });
    }
  });

  it('denying a reward in review cancels it, records the note, and sends nothing', async () => {
    await referral('uma', 'uma@example.com', 'uma-p', 'someone@mailinator.com');
    const held = referrerReward(await purchase('uma-p'), 'uma');
    expect(held.pendingReasons).toEqual(['review']);
    const denied = await h.request('POST', '/v1/reviews/decisions', { ...as(), body: { decision: 'deny', rewardIds: [held.id], note: 'throwaway address' } });
    expect(denied.status).toBe(200);
    expect(denied.body.results[0]).toMatchObject({ rewardId: held.id, status: 200, reward: { status: 'cancelled', reviewFlags: [{ check: 'disposableEmail' }] } });
    expect(denied.body.results[0].reward.history.at(-1)).toMatchObject({ to: 'cancelled', reason: 'review_denied', note: 'throwaway address' });
    expect(await announced(held.id)).toEqual([['pending', 'cancelled']]);
    await runDueJobs(h.services);
    expect(await h.inbox('uma@example.com')).toEqual([]);
  });

  it('a deny outcome writes no reward and says which check; the dry run shows what the checks decided', async () => {
    await referral('vic', 'Vic.Tor@gmail.com', 'vic-alt', 'victor@gmail.com');
    await put('vic-alt', { email: 'v.i.c.t.o.r+x@gmail.com', referredBy: 'vic' });
    const dryRun = () => h.request('POST', `/v1/programs/${programId}/evaluate`, { ...as(), body: { type: 'purchase', participantId: 'vic-alt', data: { amount: 60 } } });
    const reviewing = await dryRun();
    expect(reviewing.status).toBe(200);
    expect(reviewing.body.referralChecks).toEqual({ outcome: 'review', flags: [{ check: 'selfReferral', detail: 'the referrer has the same mailbox' }], review: ['referrer-bonus'] });

    expect((await settle({ referralChecks: { ...reviewAll, selfReferral: { outcome: 'deny' } } })).status).toBe(200);
    try {
      const dry = await dryRun();
      expect(dry.body.referralChecks).toMatchObject({ outcome: 'deny', review: [] });
      expect(dry.body.fired.find((f: any) => f.rule === 'referrer-bonus')).toEqual({ rule: 'referrer-bonus', action: 'reward', skipped: 'check:selfReferral' });
      const res = await purchase('vic-alt');
      expect(res.rewards).toEqual([]);
      expect(res.fired.find((f: any) => f.rule === 'referrer-bonus')).toEqual({ rule: 'referrer-bonus', action: 'reward', skipped: 'check:selfReferral' });
      expect((await h.request('GET', '/v1/reviews?participantId=vic', as())).body.reviews).toEqual([]);
      await runDueJobs(h.services);
      expect(await h.inbox('Vic.Tor@gmail.com')).toEqual([]);
    } finally {
      await settle({ referralChecks: reviewAll });
    }
  });
});
