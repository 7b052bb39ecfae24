import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { lifecycleRules } from './reward-lifecycle-fixtures.ts';

// W-9 thresholds per tax year as data: the built-in table (more than $599 up
// to 2025, $2,000 or more from 2026), a program's per-year override, and the
// older single w9ThresholdCents. The notice is read from the outbox.

describe.each(DIALECTS)('W-9 thresholds per tax year on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let seq = 0;

  const program = async (settings: Record<string, unknown> = {}) => {
    const res = await h.request('POST', '/v1/programs', { token: key, body: { name: `P${++seq}`, settings } });
    expect(res.status).toBe(201);
    expect((await h.request('PUT', `/v1/programs/${res.body.id}/rules`, { token: key, body: lifecycleRules })).status).toBe(200);
    return res.body.id as string;
  };
  const participant = async (id: string) => {
    const res = await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com`, firstName: id, payoutInfoComplete: true } });
    expect(res.status).toBe(201);
  };
  const event = async (programId: string, participantId: string, type: string, occurredAt: string) => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `evt-${++seq}`, type, participantId, occurredAt } });
    expect(res.status).toBe(201);
    return res.body.emails.map((e: any) => e.type).filter((t: string) => t === 'w9-notice');
  };
  const notice = async (participantId: string) => {
    const list = await h.request('GET', `/v1/emails?participantId=${participantId}`, { token: key });
    const row = list.body.emails.find((e: any) => e.type === 'w9-notice');
    return row ? (await h.request('GET', `/v1/emails/${row.id}`, { token: key })).body : null;
  };

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
  });
  afterAll(() => h.close());

  it('needs no notice for a 2026 total of $1,999.99 and sends it at $2,000.00', async () => {
    const p = await program();
    await participant('amy');
    expect(await event(p, 'amy', 'cash-1999.99', '2026-03-01T00:00:00Z')).toEqual([]);
    const stats = await h.request('GET', `/v1/participants/amy?programId=${p}`, { token: key });
    expect(stats.body.stats).toMatchObject({ taxYear: 2026, cashRewardsThisYear: 199_999, w9ReportableFromCents: 200_000, w9Required: false });
    expect(await event(p, 'amy', 'cash-0.01', '2026-04-01T00:00:00Z')).toEqual(['w9-notice']);
    const mail = await notice('amy');
    expect(mail.subject).toBe('Tax form needed for your 2026 rewards');
    expect(mail.text).toContain('Your cash rewards in 2026 total $2,000.00, at or above the reporting threshold of $2,000.00.');
  });

  it('sends the notice for a 2025 total of $599.01', async () => {
    const p = await program();
    await participant('ben');
    expect(await event(p, 'ben', 'cash-599.01', '2025-09-01T00:00:00Z')).toEqual(['w9-notice']);
    expect((await notice('ben')).subject).toBe('Tax form needed for your 2025 rewards');
    // The same amount in 2026 is far from that year's line.
    await participant('cal');
    expect(await event(p, 'cal', 'cash-599.01', '2026-09-01T00:00:00Z')).toEqual([]);
  });

  it('takes a year from taxThresholds ahead of w9ThresholdCents, and w9ThresholdCents ahead of the table', async () => {
    const p = await program({ w9ThresholdCents: 100_000, taxThresholds: { '2027': 210_000 } });
    await participant('dee');
    // 2026: the single override (more than $1,000.00) applies instead of $2,000.
    expect(await event(p, 'dee', 'cash-1999.99', '2026-05-01T00:00:00Z')).toEqual(['w9-notice']);
    await participant('eli');
    expect(await event(p, 'eli', 'cash-1999.99', '2027-05-01T00:00:00Z')).toEqual([]);
    expect(await event(p, 'eli', 'cash-25', '2027-05-02T00:00:00Z')).toEqual([]);
    expect(await event(p, 'eli', 'cash-1999.99', '2027-05-03T00:00:00Z')).toEqual(['w9-notice']);
  });

  it('counts the taxable value of a non-cash reward toward the total, and only what was used once cancelled', async () => {
    const p = await program();
    await participant('gil');
    expect(await event(p, 'gil', 'cash-1999.99', '2026-07-01T00:00:00Z')).toEqual([]);
    const res = await h.request('POST', `/v1/programs/${p}/events`, { token: key, body: { id: 'gift-gil', type: 'gift-card-50', participantId: 'gil', occurredAt: '2026-07-02T00:00:00Z' } });
    expect(res.body.rewards[0]).toMatchObject({ kind: 'gift_card', taxableValueMinor: 5000 });
    expect(res.body.emails.map((e: any) => e.type)).toContain('w9-notice');
    const stats = async () => (await h.request('GET', `/v1/participants/gil?programId=${p}`, { token: key })).body.stats;
    expect((await stats()).cashRewardsThisYear).toBe(204_999);
    // Half the card used, then cancelled: half its taxable value still counts.
    expect((await h.request('POST', `/v1/rewards/${res.body.rewards[0].id}/redeem`, { token: key, body: { amount: 25 } })).status).toBe(200);
    expect((await h.request('POST', `/v1/rewards/${res.body.rewards[0].id}/cancel`, { token: key })).status).toBe(200);
    expect((await stats()).cashRewardsThisYear).toBe(202_499);
    const cashTaxable = { rules: [{ name: 'x', conditions: { all: [] }, event: { type: 'reward', params: { kind: 'cash', amount: 5, taxableValue: 5 } } }] };
    const bad = await h.request('PUT', `/v1/programs/${p}/rules`, { token: key, body: cashTaxable });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([{ pointer: '/rules/0/event/params/taxableValue', message: 'taxableValue is for non-cash rewards (cash counts by its amount)' }]);
  });

  it('with w9Hold, keeps the cash that reaches the threshold pending until a W-9 is on file', async () => {
    const p = await program({ w9Hold: true });
    await participant('fox');
    const rewardsOf = async (type: string, at: string) =>
      (await h.request('POST', `/v1/programs/${p}/events`, { token: key, body: { id: `evt-${++seq}`, type, participantId: 'fox', occurredAt: at } })).body.rewards;
    const [below] = await rewardsOf('cash-1999.99', '2026-02-01T00:00:00Z');
    expect(below).toMatchObject({ status: 'available', pendingReasons: [] });
    const [over] = await rewardsOf('cash-25', '2026-02-02T00:00:00Z');
    expect(over).toMatchObject({ status: 'pending', pendingReasons: ['w9_required'] });
    expect((await h.request('POST', `/v1/rewards/${over.id}/redeem`, { token: key })).status).toBe(409);
    const put = await h.request('PUT', '/v1/participants/fox', { token: key, body: { email: 'fox@example.com', w9OnFile: true } });
    expect(put.status).toBe(200);
    const released = (await h.request('GET', `/v1/rewards/${over.id}`, { token: key })).body;
    expect(released).toMatchObject({ status: 'available', pendingReasons: [] });
    expect(released.history.at(-1)).toMatchObject({ from: 'pending', to: 'available', reason: 'w9_on_file', actor: 'api' });
    // With the W-9 on file, later cash is not held.
    expect((await rewardsOf('cash-25', '2026-02-03T00:00:00Z'))[0].status).toBe('available');
  });

  it('refuses thresholds that are not whole cents per year', async () => {
    const res = await h.request('POST', '/v1/programs', { token: key, body: { name: 'Bad', settings: { taxThresholds: { next: 1, '2027': -5 } } } });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: any) => d.pointer).sort()).toEqual(['/settings/taxThresholds/2027', '/settings/taxThresholds/next']);
    const hold = await h.request('POST', '/v1/programs', { token: key, body: { name: 'Bad', settings: { holdDays: -1, expiresInDays: 0.5 } } });
    expect([...new Set(hold.body.error.details.map((d: any) => d.pointer))].sort()).toEqual(['/settings/expiresInDays', '/settings/holdDays']);
  });
});
