import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailHarness, type MailHarness } from '../support/mail-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { notificationRules } from './notification-fixtures.ts';
import { runDueJobs } from '../../runtime/scheduler.ts';
import { startTimers } from '../../runtime/timers.ts';

// Payout holds and reminders, with the clock moved by hand and the scheduler
// run the way the timer loop (or a Cron Trigger) runs it.

const DAY = 86_400_000;

describe.each(DIALECTS)('payout reminders on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let programId: string;
  let seq = 0;

  const program = async (name: string, settings: Record<string, unknown> = {}) => {
    const res = await h.request('POST', '/v1/programs', { token: key, body: { name, settings: { payoutDetailsUrl: 'https://acme.example/payout', ...settings } } });
    expect(res.status).toBe(201);
    expect((await h.request('PUT', `/v1/programs/${res.body.id}/rules`, { token: key, body: notificationRules })).status).toBe(200);
    return res.body.id as string;
  };
  const participant = async (id: string, extra: Record<string, unknown> = {}) => {
    const res = await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com`, firstName: id, ...extra } });
    expect([200, 201]).toContain(res.status);
    return res.body;
  };
  const event = async (participantId: string, type: string, program = programId) => {
    const res = await h.request('POST', `/v1/programs/${program}/events`, { token: key, body: { id: `evt-${++seq}`, type, participantId } });
    expect(res.status).toBe(201);
    return res.body;
  };
  const reminders = async (id: string) => (await h.inbox(`${id}@example.com`)).filter((m) => m.subject.endsWith('reward is waiting'));
  const advance = async (days: number) => {
    h.clock.advance(days * DAY);
    return runDueJobs(h.services);
  };

  beforeAll(async () => {
    h = await createMailHarness(dialect);
    key = (await h.tenant('Acme')).apiKey;
    programId = await program('Friends');
  });
  afterAll(() => h.close());

  it('holds cash for missing payout details and reminds at once', async () => {
    await participant('amy');
    const res = await event('amy', 'cash-25');
    expect(res.rewards[0]).toMatchObject({ kind: 'cash', status: 'pending', pendingReasons: ['payout_info'] });
    expect(res.emails.map((e: any) => e.type).sort()).toEqual(['payout-reminder', 'reward']);
    const [reward] = (await h.inbox('amy@example.com')).filter((m) => m.subject.startsWith('You earned'));
    expect(reward.text).toContain('We will pay it out as soon as your tax and banking details are complete.');
    const [first] = await reminders('amy');
    expect(first.subject).toBe('Your Friends reward is waiting');
    expect(first.text).toContain('You have $25.00 in rewards waiting.');
    expect(first.text).toContain('https://acme.example/payout');
    const stats = await h.request('GET', `/v1/participants/amy?programId=${programId}`, { token: key });
    expect(stats.body.stats.pendingPayoutCents).toBe(2500);
  });

  it('does not hold credits or the cash of participants whose details are complete', async () => {
    await participant('ben', { payoutInfoComplete: true });
    expect((await event('ben', 'cash-25')).rewards[0].status).toBe('available');
    await participant('bob');
    const credit = await event('bob', 'credit-700');
    expect(credit.rewards[0].status).toBe('available');
    expect(await reminders('bob')).toHaveLength(0);
  });

  it('reminds on the schedule, shares one reminder between held rewards and stops at the cap', async () => {
    await participant('cal');
    await event('cal', 'cash-25');
    await event('cal', 'cash-25');
    expect(await reminders('cal')).toHaveLength(1);

    await advance(6);
    expect(await reminders('cal')).toHaveLength(1);
    await advance(1);
    const second = await reminders('cal');
    expect(second).toHaveLength(2);
    expect(second[1].text).toContain('You have $50.00 in rewards waiting.');
    await advance(7);
    expect(await reminders('cal')).toHaveLength(3);
    await advance(7);
    await advance(30);
    expect(await reminders('cal')).toHaveLength(3);
    const log = await h.request('GET', '/v1/emails?participantId=cal&type=payout-reminder', { token: key });
    expect(log.body.emails).toHaveLength(3);
  });

  it('stops when the details are complete and releases the held rewards', async () => {
    await participant('dee');
    await event('dee', 'cash-25');
    expect(await reminders('dee')).toHaveLength(1);
    const done = await participant('dee', { payoutInfoComplete: true });
    expect(done.payoutInfoComplete).toBe(true);
    expect(done.payoutInfoCompletedAt).toBe(h.clock.now().toISOString());
    const rewards = await h.request('GET', '/v1/participants/dee/rewards', { token: key });
    expect(rewards.body.rewards.map((r: any) => r.status)).toEqual(['available']);
    await advance(7);
    await advance(7);
    expect(await reminders('dee')).toHaveLength(1);
  });

  it('stops when the held rewards are cancelled, and goes on while one is left', async () => {
    await participant('eli');
    const a = await event('eli', 'cash-25');
    const b = await event('eli', 'cash-300');
    await h.request('POST', `/v1/rewards/${a.rewards[0].id}/cancel`, { token: key });
    await advance(7);
    const still = await reminders('eli');
    expect(still).toHaveLength(2);
    expect(still[1].text).toContain('You have $300.00 in rewards waiting.');

    const cancel = await h.request('POST', `/v1/rewards/${b.rewards[0].id}/cancel`, { token: key });
    expect(cancel.body.status).toBe('cancelled');
    const again = await h.request('POST', `/v1/rewards/${b.rewards[0].id}/cancel`, { token: key });
    expect(again.status).toBe(200);
    await advance(7);
    await advance(7);
    expect(await reminders('eli')).toHaveLength(2);
  });

  it('catches up after downtime with one reminder and counts the next from then', async () => {
    await participant('fox');
    await event('fox', 'cash-25');
    // Down for 30 days: four reminder dates passed.
    const done = await advance(30);
    expect(done['payout-reminders']).toBeGreaterThanOrEqual(1);
    expect(await reminders('fox')).toHaveLength(2);
    await advance(6);
    expect(await reminders('fox')).toHaveLength(2);
    await advance(1);
    expect(await reminders('fox')).toHaveLength(3);
    await advance(7);
    expect(await reminders('fox')).toHaveLength(3);
  });

  it('sends one reminder when several schedulers run at once', async () => {
    await participant('gia');
    await event('gia', 'cash-25');
    h.clock.advance(7 * DAY);
    await Promise.all([runDueJobs(h.services), runDueJobs(h.services), runDueJobs(h.services)]);
    expect(await reminders('gia')).toHaveLength(2);
  });

  it("follows the program's own schedule, and sends none when it allows none", async () => {
    const quick = await program('Quick', { payoutReminder: { everyDays: 2, maxReminders: 2 } });
    await participant('hugo');
    await event('hugo', 'cash-25', quick);
    expect((await reminders('hugo')).map((m) => m.subject)).toEqual(['Your Quick reward is waiting']);
    await advance(2);
    expect(await reminders('hugo')).toHaveLength(2);
    await advance(2);
    await advance(2);
    expect(await reminders('hugo')).toHaveLength(2);

    const none = await program('Silent', { payoutReminder: { maxReminders: 0 } });
    await participant('ivy');
    const res = await event('ivy', 'cash-25', none);
    expect(res.rewards[0]).toMatchObject({ status: 'pending', pendingReasons: ['payout_info'] });
    await advance(7);
    expect(await reminders('ivy')).toHaveLength(0);
  });

  it('honours the payout-reminder switch', async () => {
    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { payoutReminder: false } });
    await participant('jay');
    const res = await event('jay', 'cash-25');
    expect(res.rewards[0]).toMatchObject({ status: 'pending', pendingReasons: ['payout_info'] });
    expect(res.emails.map((e: any) => e.type)).toEqual(['reward']);
    await advance(7);
    expect(await reminders('jay')).toHaveLength(0);
    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { payoutReminder: true } });
  });

  it('refuses to cancel another tenant’s reward', async () => {
    await participant('kai');
    const res = await event('kai', 'cash-25');
    const other = (await h.tenant('Other')).apiKey;
    const cancel = await h.request('POST', `/v1/rewards/${res.rewards[0].id}/cancel`, { token: other });
    expect(cancel.status).toBe(404);
    expect((await h.request('POST', '/v1/rewards/nope/cancel', { token: key })).status).toBe(404);
  });
});

describe.each(DIALECTS)('the scheduler loop on %s', (dialect) => {
  it('runs due jobs from the timer loop, including at start after downtime', async () => {
    const h = await createMailHarness(dialect, { env: { SCHEDULER_INTERVAL_MS: '50', DISPATCH_INTERVAL_MS: '50' } });
    try {
      const key = (await h.tenant()).apiKey;
      const program = await h.request('POST', '/v1/programs', { token: key, body: { name: 'Loop' } });
      await h.request('PUT', `/v1/programs/${program.body.id}/rules`, { token: key, body: notificationRules });
      await h.request('PUT', '/v1/participants/lia', { token: key, body: { email: 'lia@example.com' } });
      await h.request('POST', `/v1/programs/${program.body.id}/events`, { token: key, body: { id: 'e1', type: 'cash-25', participantId: 'lia' } });
      h.clock.advance(7 * DAY);
      const stop = startTimers(h.services);
      try {
        const deadline = Date.now() + 5_000;
        while (h.smtp.messages.filter((m) => m.raw.includes('reward is waiting')).length < 2 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 25));
        }
      } finally {
        stop();
      }
      expect(h.smtp.messages.filter((m) => m.raw.includes('reward is waiting'))).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});
