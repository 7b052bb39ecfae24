import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExchanges } from '../support/openapi-check.ts';
import { createMailHarness, type MailHarness } from '../support/mail-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { notificationRules } from './notification-fixtures.ts';

// Reward emails and the W-9 notice, through the HTTP API, read back from a
// real SMTP server on loopback.

describe.each(DIALECTS)('reward emails and the W-9 notice on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let programId: string;
  let seq = 0;

  // These programs keep the older single threshold (more than $599) in every
  // year, as programs made before thresholds per tax year do; the table of
  // years is tested below with programs that set none.
  const program = async (name: string, settings: Record<string, unknown> = {}) => {
    const res = await h.request('POST', '/v1/programs', { token: key, body: { name, settings: { w9ThresholdCents: 59900, ...settings } } });
    expect(res.status).toBe(201);
    expect((await h.request('PUT', `/v1/programs/${res.body.id}/rules`, { token: key, body: notificationRules })).status).toBe(200);
    return res.body.id as string;
  };
  const participant = async (id: string, extra: Record<string, unknown> = {}) => {
    const res = await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com`, firstName: id, payoutInfoComplete: true, ...extra } });
    expect(res.status).toBe(201);
  };
  const event = async (participantId: string, type: string, o: { occurredAt?: string; program?: string; id?: string } = {}) => {
    const res = await h.request('POST', `/v1/programs/${o.program ?? programId}/events`, {
      token: key,
      body: { id: o.id ?? `evt-${++seq}`, type, participantId, ...(o.occurredAt ? { occurredAt: o.occurredAt } : {}) },
    });
    expect([200, 201]).toContain(res.status);
    return res.body;
  };
  const notices = async (id: string) => (await h.inbox(`${id}@example.com`)).filter((m) => m.subject.startsWith('Tax form needed'));
  const loggedTypes = async (participantId: string) =>
    (await h.request('GET', `/v1/emails?participantId=${participantId}`, { token: key })).body.emails.map((e: any) => e.type).sort();

  beforeAll(async () => {
    h = await createMailHarness(dialect);
    key = (await h.tenant('Acme')).apiKey;
    programId = await program('Friends');
  });
  afterAll(() => h.close());

  it('sends one reward email per reward, also when the event is delivered again', async () => {
    await participant('rita');
    const body = { id: 'evt-rita', type: 'cash-25', participantId: 'rita' };
    const first = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body });
    expect(first.status).toBe(201);
    expect(first.body.rewards).toHaveLength(1);
    expect(first.body.emails.map((e: any) => e.type)).toEqual(['reward']);
    const again = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const mail = await h.inbox('rita@example.com');
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toBe('You earned $25.00 from Friends');
    expect(mail[0].text).toContain('Hi rita,');
    expect(mail[0].text).toContain('You earned $25.00 (cash): Bonus cash-25.');
    expect(mail[0].text).toContain('Friends');
    expect(mail[0].headers.from).toContain('Acme');
    expect(await loggedTypes('rita')).toEqual(['reward']);
    const log = await h.request('GET', '/v1/emails?participantId=rita&status=sent', { token: key });
    expect(log.body.emails).toHaveLength(1);
  });

  it("formats amounts for the participant's locale", async () => {
    await participant('lena', { locale: 'de-DE' });
    await event('lena', 'cash-25');
    const [mail] = await h.inbox('lena@example.com');
    expect(mail.text).toContain('25,00\u00a0$');
  });

  it('does not send the notice at $599.00 and sends it at $599.01', async () => {
    await participant('ann');
    await event('ann', 'cash-599');
    expect(await notices('ann')).toHaveLength(0);
    const stats = await h.request('GET', `/v1/participants/ann?programId=${programId}`, { token: key });
    expect(stats.body.stats).toMatchObject({ cashRewardsThisYear: 59900, w9Required: false, taxYear: 2026 });

    await participant('bea');
    const res = await event('bea', 'cash-599.01');
    expect(res.emails.map((e: any) => e.type).sort()).toEqual(['reward', 'w9-notice']);
    const [notice] = await notices('bea');
    expect(notice.subject).toBe('Tax form needed for your 2026 rewards');
    expect(notice.text).toContain('Your cash rewards in 2026 total $599.01, at or above the reporting threshold of $599.01.');
    expect(notice.text).toContain('Friends');
    expect(await loggedTypes('bea')).toEqual(['reward', 'w9-notice']);
    const beaStats = await h.request('GET', `/v1/participants/bea?programId=${programId}`, { token: key });
    expect(beaStats.body.stats).toMatchObject({ cashRewardsThisYear: 59901, w9Required: true });
  });

  it('sends it when a second reward carries the year past the line, and only then', async () => {
    await participant('cyd');
    await event('cyd', 'cash-300');
    await event('cyd', 'cash-299');
    expect(await notices('cyd')).toHaveLength(0);
    const crossing = await event('cyd', 'cash-0.01');
    expect(crossing.emails.map((e: any) => e.type)).toContain('w9-notice');
    expect(await notices('cyd')).toHaveLength(1);

    await participant('dan');
    await event('dan', 'cash-300');
    await event('dan', 'cash-299.01');
    expect(await notices('dan')).toHaveLength(1);
  });

  it('sends it once per tax year, and again when a new year crosses the line', async () => {
    await participant('eve');
    await event('eve', 'cash-599.01');
    await event('eve', 'cash-300');
    await event('eve', 'cash-599.01');
    expect(await notices('eve')).toHaveLength(1);

    // The new year starts from zero: $300 is under the line again.
    await event('eve', 'cash-300', { occurredAt: '2027-02-01T10:00:00Z' });
    expect(await notices('eve')).toHaveLength(1);
    await event('eve', 'cash-300', { occurredAt: '2027-03-01T10:00:00Z' });
    const all = await notices('eve');
    expect(all).toHaveLength(2);
    expect(all[1].subject).toBe('Tax form needed for your 2027 rewards');
    expect(all[1].text).toContain('total $600.00');
  });

  it('stops notices once a W-9 is on file, and records when it arrived', async () => {
    await participant('fay');
    await event('fay', 'cash-599.01');
    expect(await notices('fay')).toHaveLength(1);
    const put = await h.request('PUT', '/v1/participants/fay', { token: key, body: { email: 'fay@example.com', w9OnFile: true } });
    expect(put.body.w9OnFile).toBe(true);
    expect(put.body.w9OnFileAt).toBe(h.clock.now().toISOString());
    await event('fay', 'cash-599.01', { occurredAt: '2027-01-15T10:00:00Z' });
    expect(await notices('fay')).toHaveLength(1);
    const stats = await h.request('GET', `/v1/participants/fay?programId=${programId}`, { token: key });
    expect(stats.body.stats.w9Required).toBe(false);

    await participant('gus', { w9OnFile: true });
    await event('gus', 'cash-599.01');
    expect(await notices('gus')).toHaveLength(0);
  });

  it("counts the calendar year in the program's time zone", async () => {
    const newYork = await program('New York', { timeZone: 'America/New_York' });
    // 2026-12-31 20:30 in New York is already 2027 in UTC.
    const lateNewYearsEve = '2027-01-01T01:30:00Z';
    const earlier2026 = '2026-12-31T12:00:00Z';

    await participant('hal');
    await event('hal', 'cash-300', { program: newYork, occurredAt: earlier2026 });
    await event('hal', 'cash-299.01', { program: newYork, occurredAt: lateNewYearsEve });
    const ny = await notices('hal');
    expect(ny).toHaveLength(1);
    expect(ny[0].subject).toBe('Tax form needed for your 2026 rewards');

    // The same two rewards in a UTC program fall into two years.
    await participant('ida');
    await event('ida', 'cash-300', { occurredAt: earlier2026 });
    await event('ida', 'cash-299.01', { occurredAt: lateNewYearsEve });
    expect(await notices('ida')).toHaveLength(0);

    // And just after midnight in New York, the New York program starts again.
    await participant('jon');
    await event('jon', 'cash-300', { program: newYork, occurredAt: earlier2026 });
    await event('jon', 'cash-299.01', { program: newYork, occurredAt: '2027-01-01T05:00:00Z' });
    expect(await notices('jon')).toHaveLength(0);
  });

  it('leaves out currencies without a conversion rate, and says so', async () => {
    await participant('kim');
    await event('kim', 'cash-300');
    await event('kim', 'eur-550');
    expect(await notices('kim')).toHaveLength(0);
    const stats = await h.request('GET', `/v1/participants/kim?programId=${programId}`, { token: key });
    expect(stats.body.stats).toMatchObject({ cashRewardsThisYear: 30000, excludedCurrencies: ['EUR'], w9Required: false });

    const withRate = await program('Euro friendly', { usdRates: { EUR: 1.1 } });
    await participant('lou');
    await event('lou', 'cash-0.01', { program: withRate });
    await event('lou', 'eur-550', { program: withRate });
    const [notice] = await notices('lou');
    expect(notice.text).toContain('total $605.01');
    const rated = await h.request('GET', `/v1/participants/lou?programId=${withRate}`, { token: key });
    expect(rated.body.stats).toMatchObject({ cashRewardsThisYear: 60501, excludedCurrencies: [], w9Required: true });
  });

  it('counts cash only: credits do not trigger the notice', async () => {
    await participant('max');
    await event('max', 'credit-700');
    expect(await notices('max')).toHaveLength(0);
  });

  it('lets a rule send the notice from the stats facts, once a year', async () => {
    const strict = await program('Strict', { w9ThresholdCents: 40000 });
    await participant('ned');
    // $500 under the default threshold: no automatic notice from the Friends program.
    await event('ned', 'cash-300');
    await event('ned', 'cash-299', { occurredAt: '2026-06-01T00:00:00Z' });
    expect(await notices('ned')).toHaveLength(0);
    const fired = await event('ned', 'login', { program: strict });
    expect(fired.fired.map((f: any) => f.rule)).toContain('w9-from-stats');
    expect(fired.emails.map((e: any) => e.type)).toEqual(['w9-notice']);
    const [notice] = await notices('ned');
    expect(notice.text).toContain('Your cash rewards in 2026 total $599.00, at or above the reporting threshold of $400.01.');
    await event('ned', 'login', { program: strict });
    expect(await notices('ned')).toHaveLength(1);
  });

  it('sends one notice when two concurrent events cross the line together', async () => {
    await participant('ola');
    const results = await Promise.all([event('ola', 'cash-300'), event('ola', 'cash-300')]);
    expect(results.every((r) => r.rewards.length === 1)).toBe(true);
    const mail = await notices('ola');
    expect(mail).toHaveLength(1);
    expect(mail[0].text).toContain('total $600.00');
  });

  it('does not count cancelled rewards', async () => {
    await participant('pia');
    const first = await event('pia', 'cash-300');
    const cancel = await h.request('POST', `/v1/rewards/${first.rewards[0].id}/cancel`, { token: key });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    await event('pia', 'cash-300');
    expect(await notices('pia')).toHaveLength(0);
  });

  it('honours the per-type switches', async () => {
    const off = await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: false, w9Notice: false } });
    expect(off.status).toBe(200);
    await participant('quin');
    const res = await event('quin', 'cash-599.01');
    expect(res.rewards).toHaveLength(1);
    expect(res.emails).toEqual([]);
    expect(await h.inbox('quin@example.com')).toHaveLength(0);

    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: true } });
    await event('quin', 'cash-25');
    expect((await h.inbox('quin@example.com')).map((m) => m.subject)).toEqual(['You earned $25.00 from Friends']);
    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { w9Notice: true } });
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
