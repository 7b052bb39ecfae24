import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { addEmail, addFailingEndpoint, addReward, breakMailSettings } from '../support/overview-fixtures.ts';

// GET /v1/programs/:programId/overview: the last 30 UTC days of one program,
// nothing of another program or tenant, and what needs attention.

const DAY = 86_400_000;

describe.each(DIALECTS)('program overview on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let tenantId: string;
  let programId: string;
  let otherProgramId: string;

  beforeAll(async () => {
    h = await createHarness(dialect, { start: '2026-06-30T10:00:00.000Z' });
    ({ id: tenantId, apiKey: token } = await h.tenant('Acme'));
    programId = (await h.request('POST', '/v1/programs', { token, body: { name: 'Friends' } })).body.id;
    otherProgramId = (await h.request('POST', '/v1/programs', { token, body: { name: 'Other' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token, body: { email: 'p1@example.com' } });
    const post = async (pid: string, id: string) => expect((await h.request('POST', `/v1/programs/${pid}/events`, { token, body: { id, type: 'signup', participantId: 'p1', data: {} } })).status).toBeLessThan(300);
    // Two events today, one three days ago, one 40 days ago (outside), one in the other program.
    h.clock.set('2026-05-21T09:00:00.000Z');
    await post(programId, 'old');
    h.clock.set('2026-06-27T09:00:00.000Z');
    await post(programId, 'e3');
    h.clock.set('2026-06-30T10:00:00.000Z');
    await post(programId, 'e1');
    await post(programId, 'e2');
    await post(otherProgramId, 'x1');

    const t = { tenantId, programId };
    await addReward(h, t, 'r1', { status: 'available', amountMinor: 2500 });
    await addReward(h, t, 'r2', { status: 'available', amountMinor: 1000, currency: 'EUR' });
    await addReward(h, t, 'r3', { status: 'pending', amountMinor: 500, reasons: 'hold,review' });
    await addReward(h, t, 'r4', { status: 'pending', amountMinor: 500, reasons: 'hold' });
    await addReward(h, t, 'r5', { status: 'redeemed', amountMinor: 15, kind: 'percent_discount' });
    // A review waiting since before the window still counts; its reward is outside the 30-day chart.
    await addReward(h, t, 'r6', { status: 'pending', amountMinor: 700, reasons: 'review', daysAgo: 45 });
    await addReward(h, { tenantId, programId: otherProgramId }, 'o1', { status: 'pending', amountMinor: 9, reasons: 'review' });

    await addEmail(h, t, 'm1', 'sent');
    await addEmail(h, t, 'm2', 'sent', 1);
    await addEmail(h, t, 'm3', 'failed', 1);
    await addEmail(h, t, 'm4', 'suppressed', 29);
    await addEmail(h, t, 'm5', 'sent', 31);
    await addEmail(h, t, 'q1', 'queued');
    await addEmail(h, t, 'q2', 'queued');
    await addEmail(h, { tenantId, programId: otherProgramId }, 'o2', 'failed');
  });
  afterAll(() => h?.close());

  it('counts events, rewards, emails and the outbox of the last 30 days, for this program only', async () => {
    const res = await h.request('GET', `/v1/programs/${programId}/overview`, { token });
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o.days).toHaveLength(30);
    expect(o.days[0]).toBe('2026-06-01');
    expect(o.days[29]).toBe('2026-06-30');
    expect(o.since).toBe('2026-06-01T00:00:00.000Z');
    expect(o.events.total).toBe(3);
    expect(o.events.perDay[29]).toBe(2);
    expect(o.events.perDay[26]).toBe(1);
    expect(o.rewards).toEqual([
      { status: 'pending', count: 2, value: [{ currency: 'USD', amountMinor: 1000 }] },
      { status: 'available', count: 2, value: [{ currency: 'EUR', amountMinor: 1000 }, { currency: 'USD', amountMinor: 2500 }] },
      // A percent discount counts, but 15 % is no amount of money.
      { status: 'redeemed', count: 1, value: [{ currency: 'USD', amountMinor: 0 }] },
      { status: 'cancelled', count: 0, value: [] },
      { status: 'expired', count: 0, value: [] },
    ]);
    expect(o.pendingReviews).toBe(2);
    expect(o.emails.totals).toEqual({ sent: 2, failed: 1, suppressed: 1 });
    expect(o.emails.perDay[29]).toEqual({ day: '2026-06-30', sent: 1, failed: 0, suppressed: 0 });
    expect(o.emails.perDay[28]).toEqual({ day: '2026-06-29', sent: 1, failed: 1, suppressed: 0 });
    expect(o.emails.perDay[0]).toEqual({ day: '2026-06-01', sent: 0, failed: 0, suppressed: 1 });
    expect(o.outbox).toEqual({ queued: 2, sending: 0 });
    expect(o.attention.map((a: { code: string }) => a.code)).toEqual(['emails_failed', 'no_rules']);
  });

  it('lists what needs attention: a failing mail server, an unverified domain, failing and disabled webhooks', async () => {
    const { id: brokenTenant, apiKey } = await h.tenant('Broken');
    const pid = (await h.request('POST', '/v1/programs', { token: apiKey, body: { name: 'P' } })).body.id;
    await breakMailSettings(h, brokenTenant);
    await addFailingEndpoint(h, brokenTenant, 'we1', 'https://hooks.acme.test/a', 'disabled');
    await addFailingEndpoint(h, brokenTenant, 'we2', 'https://hooks.acme.test/b', 'enabled');
    const o = (await h.request('GET', `/v1/programs/${pid}/overview`, { token: apiKey })).body;
    expect(o.attention).toEqual([
      { code: 'smtp_failing', message: 'Your SMTP server smtp.acme.test stopped accepting the login: emails wait until it is fixed. It answered: 535 5.7.8 Authentication failed' },
      { code: 'domain_unverified', message: 'The custom domain mail.acme.test is not verified: emails go From the built-in address until its DNS records are found.' },
      { code: 'webhook_disabled', message: 'The webhook endpoint https://hooks.acme.test/a was disabled after its deliveries kept failing.' },
      { code: 'webhook_failing', message: 'Deliveries to the webhook endpoint https://hooks.acme.test/b have failed since 2026-06-26 10:00 UTC.' },
      { code: 'no_rules', message: 'The program has no active rules: events are stored but nothing fires.' },
    ]);
    expect(o.events.total).toBe(0);
    expect(o.pendingReviews).toBe(0);
  });

  it("answers 404 for another tenant's program and an unknown one", async () => {
    const { apiKey } = await h.tenant('Stranger');
    expect((await h.request('GET', `/v1/programs/${programId}/overview`, { token: apiKey })).body.error.code).toBe('not_found');
    expect((await h.request('GET', '/v1/programs/nope/overview', { token })).status).toBe(404);
  });

  it('moves its window with the clock', async () => {
    h.clock.set(new Date(Date.parse('2026-06-30T10:00:00.000Z') + 29 * DAY).toISOString());
    const o = (await h.request('GET', `/v1/programs/${programId}/overview`, { token })).body;
    h.clock.set('2026-06-30T10:00:00.000Z');
    expect(o.days[0]).toBe('2026-06-30');
    expect(o.events.total).toBe(2);
    expect(o.emails.totals).toEqual({ sent: 1, failed: 0, suppressed: 0 });
  });
});
