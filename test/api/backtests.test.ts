import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/databases.ts';
import { runDueJobs } from '../../runtime/scheduler.ts';
import { checkExchanges } from '../support/openapi-check.ts';
import { referralRules } from './fixtures.ts';

// A backtest replays stored events through candidate rules and reports the
// difference; it writes nothing but its own record. The window here holds six
// events and a chunk is four, so the POST replays one chunk and the scheduler
// (run by an app restarted on the same database) the rest.

const settings = {
  // Reportable from $100: alice's $75 of referral bonuses is under it; the candidate's $125 is not.
  w9ThresholdCents: 9999,
  limits: [{ name: 'bonus-cap', scope: 'referrer', measure: 'count', kind: 'cash', period: 'month', max: 2 }],
};

// Bonus from $30 (was $50) and worth $50 (was $25); no welcome credit any more.
const candidate = {
  rules: [
    { ...referralRules.rules[0], conditions: { all: [
      { fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' },
      { fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: 30 },
      { fact: 'referrer', operator: 'notEqual', value: null },
    ] }, event: { type: 'reward', params: { kind: 'cash', amount: 50, currency: 'USD', to: 'referrer', description: 'Referral bonus' } } },
    referralRules.rules[2],
  ],
};

const window = { from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' };
const env = { BACKTEST_CHUNK_EVENTS: '4' };

describe.each(DIALECTS)('backtests on %s', (dialect) => {
  let store: TestStore;
  let h: Harness;
  let key: string;
  let otherKey: string;
  let programId: string;
  const recorded: Harness['recorded'] = [];
  const post = (body: unknown, token = key) => h.request('POST', `/v1/programs/${programId}/backtests`, { token, body });
  const counts = async () =>
    Promise.all(['events', 'rewards', 'emails', 'reward_history'].map(async (t) => (await h.store.db.selectFrom(t as 'events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));

  beforeAll(async () => {
    store = await createTestStore(dialect);
    h = await createHarness(dialect, { store, env });
    key = (await h.tenant()).apiKey;
    otherKey = (await h.tenant('Other')).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends', settings } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules })).status).toBe(200);
    await h.request('PUT', '/v1/participants/alice', { token: key, body: { email: 'alice@example.com', payoutInfoComplete: true } });
    for (const p of ['b1', 'b2', 'b3']) await h.request('PUT', `/v1/participants/${p}`, { token: key, body: { email: `${p}@example.com`, referredBy: 'alice' } });
    const events = [
      { id: 's1', type: 'signup', participantId: 'b1', occurredAt: '2026-06-02T10:00:00Z' },
      { id: 's2', type: 'signup', participantId: 'b2', occurredAt: '2026-06-02T11:00:00Z' },
      { id: 's3', type: 'signup', participantId: 'b3', occurredAt: '2026-06-02T12:00:00Z' },
      { id: 'buy1', type: 'purchase', participantId: 'b1', data: { amount: 60 }, occurredAt: '2026-06-03T10:00:00Z' },
      { id: 'buy2', type: 'purchase', participantId: 'b2', data: { amount: 40 }, occurredAt: '2026-06-04T10:00:00Z' },
      { id: 'buy3', type: 'purchase', participantId: 'b3', data: { amount: 70 }, occurredAt: '2026-06-05T10:00:00Z' },
      // Outside the window: not replayed.
      { id: 'late', type: 'purchase', participantId: 'b1', data: { amount: 90 }, occurredAt: '2026-07-02T10:00:00Z' },
    ];
    for (const e of events) expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { data: {}, ...e } })).status).toBe(201);
    // What an event stored before snapshots existed looks like: no facts.
    await h.store.db.updateTable('events').set({ facts: null }).where('id', '=', 's1').execute();
  });
  afterAll(async () => {
    await h.close();
    await store.dispose();
  });

  it('stores with each event the facts it was evaluated with', async () => {
    const row = await h.store.db.selectFrom('events').select('facts').where('id', '=', 'buy2').executeTakeFirstOrThrow();
    const facts = JSON.parse(row.facts!);
    expect(facts).toMatchObject({ version: 1, participant: { id: 'b2', referredBy: 'alice' }, referrer: { id: 'alice' } });
    // The rules read no stats and no history: none kept.
    expect(facts).not.toHaveProperty('stats');
  });

  let backtestId: string;
  let before: unknown[];

  it('answers 202 after the first chunk, refuses a second backtest while it runs, and finishes after a restart', async () => {
    before = await counts();
    const started = await post({ ...candidate, ...window });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'running', candidate: { inline: true }, progress: { eventsTotal: 6, eventsDone: 4 } });
    expect(started.body.report).toBeUndefined();
    backtestId = started.body.id;
    expect((await post({ ...candidate, ...window })).status).toBe(409);

    // The app stops and another starts on the same database; its scheduler carries the job on.
    recorded.push(...h.recorded);
    await h.close();
    h = await createHarness(dialect, { store, env });
    const progress = await h.request('GET', `/v1/programs/${programId}/backtests/${backtestId}`, { token: key });
    expect(progress.body).toMatchObject({ status: 'running', progress: { eventsDone: 4 } });
    const done = await runDueJobs(h.services);
    expect(done.backtests).toBe(1);
    const finished = await h.request('GET', `/v1/programs/${programId}/backtests/${backtestId}`, { token: key });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ status: 'done', progress: { eventsTotal: 6, eventsDone: 6, exact: 5, approximate: 1, changed: 6 } });
    expect(await counts()).toEqual(before);
  });

  it('reports the rewards added and removed, by kind and currency, with totals', async () => {
    const { report } = (await h.request('GET', `/v1/programs/${programId}/backtests/${backtestId}`, { token: key })).body;
    expect(report.events).toEqual({ replayed: 6, exact: 5, approximate: 1, skipped: 0, failed: 0, changed: 6 });
    // buy1 and buy2 pay $50 (buy1 paid $25); buy3 is stopped by the limit (it paid $25); no signup credit.
    expect(report.rewards.byKind).toEqual([
      { kind: 'cash', currency: 'USD', addedCount: 2, addedMinor: 10000, removedCount: 2, removedMinor: 5000, netMinor: 5000 },
      { kind: 'credit', currency: 'USD', addedCount: 0, addedMinor: 0, removedCount: 3, removedMinor: 3000, netMinor: -3000 },
    ]);
    expect(report.rewards.totals).toEqual([{ currency: 'USD', addedMinor: 10000, removedMinor: 8000, netMinor: 2000 }]);
    expect(report.rules).toEqual([
      { rule: 'referrer-bonus', firedBefore: 2, firedAfter: 3 },
      { rule: 'thank-you', firedBefore: 6, firedAfter: 6 },
      { rule: 'welcome-credit', firedBefore: 3, firedAfter: 0 },
    ]);
    expect(report.participants).toEqual({ count: 4, countIsLowerBound: false, list: ['alice', 'b1', 'b2', 'b3'], listTruncated: false });
  });

  it('names the limit the candidate would hit and the W-9 threshold it would cross', async () => {
    const { report } = (await h.request('GET', `/v1/programs/${programId}/backtests/${backtestId}`, { token: key })).body;
    expect(report.limits).toEqual([{ name: 'bonus-cap', wouldStop: 1, stoppedActually: 0 }]);
    // Her year's cash counts every reward of the year: the window's $50 and July's $25, outside the window and unchanged.
    expect(report.w9.wouldCross).toEqual([{ participantId: 'alice', year: 2026, actualCents: 7500, candidateCents: 12500, reportableFromCents: 10000 }]);
    expect(report.w9.wouldNoLongerCross).toEqual([]);
  });

  it('samples changed events with both explanations, exact or approximate', async () => {
    const { report } = (await h.request('GET', `/v1/programs/${programId}/backtests/${backtestId}`, { token: key })).body;
    expect(report.sample.map((s: any) => s.eventId)).toEqual(['s1', 's2', 's3', 'buy1', 'buy2', 'buy3']);
    expect(report.sample.map((s: any) => s.exact)).toEqual([false, true, true, true, true, true]);
    const buy2 = report.sample.find((s: any) => s.eventId === 'buy2');
    expect(buy2.before.fired).toEqual(['thank-you']);
    expect(buy2.after.fired).toEqual(['referrer-bonus', 'thank-you']);
    expect(buy2.before.version).toBe(1);
    expect(buy2.before.rules.find((r: any) => r.name === 'referrer-bonus')).toMatchObject({ fired: false });
    expect(buy2.after.rules.find((r: any) => r.name === 'referrer-bonus')).toMatchObject({ fired: true });
    expect(buy2.added).toEqual([{ participantId: 'alice', kind: 'cash', currency: 'USD', amountMinor: 5000, taxableMinor: null, rule: 'referrer-bonus' }]);
    expect(buy2.removed).toEqual([]);
  });

  it('replays a stored version, completing a window that fits in one chunk in the answer', async () => {
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: candidate })).status).toBe(200);
    h.clock.advance(60_000);
    const res = await post({ version: 2, from: '2026-06-03T00:00:00Z', to: '2026-06-06T00:00:00Z' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'done', candidate: { version: 2 }, progress: { eventsTotal: 3, eventsDone: 3 } });
    expect(res.body.report.rewards.totals).toEqual([{ currency: 'USD', addedMinor: 10000, removedMinor: 5000, netMinor: 5000 }]);
    const list = await h.request('GET', `/v1/programs/${programId}/backtests`, { token: key });
    expect(list.body.backtests.map((b: any) => [b.id, b.status])).toEqual([[res.body.id, 'done'], [backtestId, 'done']]);
    expect(list.body.backtests[0].report).toBeUndefined();
  });

  it('counts toward a limit what its period held before the window', async () => {
    // June's cap of 2 bonuses: buy1 (June 3) paid one before this window; in it the candidate pays buy2, and buy3 would be the third.
    h.clock.advance(60_000);
    const res = await post({ version: 2, from: '2026-06-04T00:00:00Z', to: '2026-06-06T00:00:00Z' });
    expect(res.body).toMatchObject({ status: 'done', progress: { eventsTotal: 2 } });
    expect(res.body.report.limits).toEqual([{ name: 'bonus-cap', wouldStop: 1, stoppedActually: 0 }]);
    expect(res.body.report.rewards.totals).toEqual([{ currency: 'USD', addedMinor: 5000, removedMinor: 2500, netMinor: 2500 }]);
  });

  it("keeps tenants apart: another tenant's program and backtests are 404", async () => {
    expect((await post({ version: 1, ...window }, otherKey)).status).toBe(404);
    expect((await h.request('GET', `/v1/programs/${programId}/backtests/${backtestId}`, { token: otherKey })).status).toBe(404);
    expect((await h.request('GET', `/v1/programs/${programId}/backtests`, { token: otherKey })).status).toBe(404);
  });

  it.each([
    ['to before from', { version: 1, from: '2026-06-02T00:00:00Z', to: '2026-06-01T00:00:00Z' }, '/to'],
    ['an empty window', { version: 1, from: '2026-06-02T00:00:00Z', to: '2026-06-02T00:00:00Z' }, '/to'],
    ['more than 366 days', { version: 1, from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }, '/to'],
    ['a bad timestamp', { version: 1, from: 'yesterday', to: '2026-06-01T00:00:00Z' }, '/from'],
    ['no candidate', { ...window }, '/rules'],
    ['both candidates', { ...candidate, version: 1, ...window }, '/version'],
    ['an unknown version', { version: 99, ...window }, '/version'],
    ['invalid rules', { rules: [{ name: 'x' }], ...window }, '/rules/0/conditions'],
  ])('answers 422 for %s', async (_, body, pointer) => {
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: any) => d.pointer)).toContain(pointer);
  });

  it('stops a candidate that spends the evaluation budget of a chunk: failed, with the error shape, nothing else written', async () => {
    const costly = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Costly' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${costly}/rules`, { token: key, body: referralRules })).status).toBe(200);
    // Two arrays of 1,200 numbers: comparing every element with every other is about 2,900,000 units an event,
    // under one event's own budget, past what a chunk of four may spend (4,000,000) by the second event.
    const data = { a: Array.from({ length: 1200 }, (_, i) => i), b: Array.from({ length: 1200 }, (_, i) => 10_000 + i) };
    for (const id of ['big1', 'big2']) {
      expect((await h.request('POST', `/v1/programs/${costly}/events`, { token: key, body: { id, type: 'view', participantId: 'b1', data, occurredAt: '2026-06-20T10:00:00Z' } })).status).toBe(201);
    }
    const rules = [{ name: 'all-different', conditions: { all: [{ fact: 'event', path: '$.data.a', operator: 'everyFact:everyValue:notEqual', value: { fact: 'event', path: '$.data.b' } }] }, event: { type: 'reward', params: { kind: 'credit', amount: 1, currency: 'USD', to: 'participant' } } }];
    const before = await counts();
    h.clock.advance(60_000);
    const res = await h.request('POST', `/v1/programs/${costly}/backtests`, { token: key, body: { rules, ...window } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'evaluation_failed', details: [{ pointer: '/rules' }] } });
    expect(res.body.error.message).toContain('big2');
    expect(await counts()).toEqual(before);
  });

  // Runs last: every answer above (both apps') is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges([...recorded, ...h.recorded])).toEqual([]);
  });
});
