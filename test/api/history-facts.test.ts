import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { EVENT_SUM_MAX_BYTES, EVENT_SUM_MAX_EVENTS } from '../../rules/history-facts.ts';

// History facts: json-rules-engine conditions with `params`, answered from the
// participant's stored events, referrals and rewards before the event.

const rules = {
  rules: [
    {
      name: 'third-purchase',
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' },
          { fact: 'eventCount', params: { type: 'purchase' }, operator: 'equal', value: 2 },
        ],
      },
      event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD' } },
    },
    {
      name: 'two-converted-referrals',
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'check' },
          { fact: 'referralCount', params: { days: 90, converted: true }, operator: 'greaterThanInclusive', value: 2 },
          { fact: 'rewardTotal', params: { currency: 'USD', kind: 'cash' }, operator: 'lessThan', value: 1 },
        ],
      },
      event: { type: 'reward', params: { kind: 'cash', amount: 20, currency: 'USD' } },
    },
  ],
};

describe.each(DIALECTS)('history facts on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;
  const post = (body: unknown) => h.request('POST', `/v1/programs/${programId}/events`, { token: key, body });
  const put = (body: unknown) => h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body });

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } })).body.id;
    expect((await put(rules)).status).toBe(200);
    for (const id of ['ann', 'ben', 'cat', 'dan']) {
      await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com`, ...(id === 'ann' ? {} : { referredBy: 'ann' }) } });
    }
  });
  afterAll(() => h.close());

  it('counts the participant’s earlier events of a type: the third purchase pays', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post({ id: `p${i}`, type: 'purchase', participantId: 'ann' }));
    expect(answers.map((a) => a.body.rewards.length)).toEqual([0, 0, 1, 0]);
    // Another type does not count, another participant's purchases neither.
    await post({ id: 'x0', type: 'visit', participantId: 'ben' });
    await post({ id: 'x1', type: 'purchase', participantId: 'ben' });
    expect((await post({ id: 'x2', type: 'purchase', participantId: 'ben' })).body.rewards).toHaveLength(0);
  });

  it('counts converted referrals and sums rewards that still count', async () => {
    // ann referred ben, cat and dan; ben converted (his events above), cat not yet.
    expect((await post({ id: 'c0', type: 'check', participantId: 'ann' })).body.rewards).toHaveLength(0);
    await post({ id: 'cat-1', type: 'visit', participantId: 'cat' });
    const paid = await post({ id: 'c1', type: 'check', participantId: 'ann' });
    expect(paid.body.rewards).toHaveLength(1);
    // The receipt keeps the history questions that passed, with their answers.
    const receipt = await h.request('GET', `/v1/rewards/${paid.body.rewards[0].id}/receipt`, { token: key });
    expect(JSON.stringify(receipt.body)).toContain('"params":{"days":90,"converted":true}');
    // Now ann has $20 of cash: rewardTotal stops the rule.
    expect((await post({ id: 'c2', type: 'check', participantId: 'ann' })).body.rewards).toHaveLength(0);
    // Cancelled, it no longer counts.
    expect((await h.request('POST', `/v1/rewards/${paid.body.rewards[0].id}/cancel`, { token: key })).status).toBe(200);
    expect((await post({ id: 'c3', type: 'check', participantId: 'ann' })).body.rewards).toHaveLength(1);
  });

  it('counts only inside the window of days before the event', async () => {
    // Dated a year later, ann's referrals (created at the harness clock) are outside 90 days.
    const later = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'check', participantId: 'ann', occurredAt: '2027-06-15T12:00:00Z' } });
    const leaf = later.body.rules[1].conditions.children[1];
    expect(leaf).toMatchObject({ fact: 'referralCount', params: { days: 90, converted: true }, factValue: 0, result: 'fail' });
    const now = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'purchase', participantId: 'ann' } });
    expect(now.body.rules[0].conditions.children[1]).toMatchObject({ fact: 'eventCount', params: { type: 'purchase' }, factValue: 4 });
  });

  it('refuses params where they do not belong, bad params, and too many distinct questions', async () => {
    const leaf = (c: object) => ({ rules: [{ name: 'r', conditions: { all: [c] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }] });
    const onEvent = await put(leaf({ fact: 'event', params: { days: 1 }, path: '$.type', operator: 'equal', value: 'x' }));
    expect(onEvent.status).toBe(422);
    expect(onEvent.body.error.details.map((d: any) => d.pointer)).toContain('/rules/0/conditions/all/0/params');
    const badDays = await put(leaf({ fact: 'eventCount', params: { days: 0 }, operator: 'equal', value: 1 }));
    expect(badDays.body.error.details.map((d: any) => d.pointer)).toContain('/rules/0/conditions/all/0/params/days');
    const unknown = await put(leaf({ fact: 'rewardTotal', params: { since: 'x' }, operator: 'equal', value: 1 }));
    expect(unknown.body.error.details).toContainEqual({ pointer: '/rules/0/conditions/all/0/params/since', message: 'rewardTotal has no param "since"' });
    const many = await put({
      rules: [{ name: 'r', conditions: { any: Array.from({ length: 6 }, (_, i) => ({ fact: 'eventCount', params: { days: i + 1 }, operator: 'equal', value: 1 })) }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }],
    });
    expect(many.status).toBe(422);
    expect(many.body.error.details.map((d: any) => d.pointer)).toContain('/rules');
    // Same question twice, params in another order: one distinct fact, accepted.
    const same = await put({
      rules: [{ name: 'r', conditions: { all: [{ fact: 'rewardTotal', params: { kind: 'cash', currency: 'USD' }, operator: 'equal', value: 0 }, { fact: 'rewardTotal', params: { currency: 'USD', kind: 'cash' }, operator: 'equal', value: 0 }] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }],
    });
    expect(same.status).toBe(200);
  });
});

// eventSum: a number in the participant's earlier events' data, added up by the
// database (no payload is read into JavaScript), over the newest events only.
describe.each(DIALECTS)('eventSum on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  let programId: string;
  let otherProgramId: string;
  const DAY = 86_400_000;
  const ago = (days: number) => new Date(Date.parse('2026-06-15T12:00:00.000Z') - days * DAY).toISOString();
  const post = (program: string, body: unknown) => h.request('POST', `/v1/programs/${program}/events`, { token: key, body });
  const leaf = (params: object) => ({ fact: 'eventSum', params, operator: 'greaterThanInclusive', value: 100 });
  const rulesOf = (...leaves: object[]) => ({ rules: leaves.map((l, i) => ({ name: `r${i}`, conditions: { all: [l] }, event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD' } } })) });
  /** The value each rule's eventSum has for a dry run of `type` by `participantId` now. */
  const sums = async (participantId: string, rules: object) => {
    const res = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'check', participantId, rules: (rules as { rules: unknown }).rules } });
    expect(res.status).toBe(200);
    return res.body.rules.map((r: any) => r.conditions.children[0].factValue);
  };

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ apiKey: key, id: tenantId } = await h.tenant());
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Shop' } })).body.id;
    otherProgramId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Other' } })).body.id;
    for (const id of ['ann', 'ben', 'bulk']) await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com` } });
    const purchases: [number, unknown][] = [
      [40, { order: { total: 40 } }], // outside 30 days
      [20, { order: { total: 30 } }],
      [10, { order: { total: 50.5 } }],
      [9, { order: { total: '60' } }], // a string: ignored
      [8, { order: { total: true } }], // a boolean: ignored
      [7, { order: { total: null } }],
      [6, { order: { total: { value: 7 } } }], // an object: ignored
      [5, { order: [{ total: 9 }] }], // an array on the way: names are keys, never indexes
      [4, { amount: 11 }], // path missing: ignored
      [3, {}],
      [2, { order: { total: -0.5 } }],
    ];
    for (const [i, [days, data]] of purchases.entries()) expect((await post(programId, { id: `a${i}`, type: 'purchase', participantId: 'ann', occurredAt: ago(days), data })).status).toBe(201);
    // Another type, another participant, another program: none of them count for ann's purchases here.
    await post(programId, { id: 'r0', type: 'refund', participantId: 'ann', occurredAt: ago(1), data: { order: { total: 1000 } } });
    await post(programId, { id: 'b0', type: 'purchase', participantId: 'ben', occurredAt: ago(1), data: { order: { total: 1000 } } });
    await post(otherProgramId, { id: 'o0', type: 'purchase', participantId: 'ann', occurredAt: ago(1), data: { order: { total: 1000 } } });
  });
  afterAll(() => h.close());

  it('adds the numbers at the path in the window, of that type only; anything not a number is ignored', async () => {
    // 5 distinct history facts at most per ruleset: two dry runs.
    const first = rulesOf(leaf({ type: 'purchase', path: 'order.total', days: 30 }), leaf({ type: 'purchase', path: 'order.total' }), leaf({ type: 'purchase', path: 'amount' }));
    const second = rulesOf(leaf({ type: 'refund', path: 'order.total' }), leaf({ type: 'purchase', path: 'nothing.here' }), leaf({ type: 'visit', path: 'order.total' }));
    expect(await sums('ann', first)).toEqual([80, 120, 11]);
    expect(await sums('ann', second)).toEqual([1000, 0, 0]);
    expect(await sums('ben', first)).toEqual([1000, 1000, 0]);
  });

  it('sums the earlier events in the live path, the event itself not included', async () => {
    const put = await h.request('PUT', `/v1/programs/${programId}/rules`, {
      token: key,
      body: { rules: [{ name: 'big-spender', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' }, { fact: 'eventSum', params: { type: 'purchase', path: 'order.total', days: 30 }, operator: 'greaterThanInclusive', value: 100 }] }, event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD' } } }] },
    });
    expect(put.status).toBe(200);
    // 80 before it: this purchase of 20 brings the total to 100 but does not see itself.
    expect((await post(programId, { id: 'a-live-1', type: 'purchase', participantId: 'ann', data: { order: { total: 20 } } })).body.rewards).toHaveLength(0);
    const paid = await post(programId, { id: 'a-live-2', type: 'purchase', participantId: 'ann', data: { order: { total: 1 } } });
    expect(paid.body.rewards).toHaveLength(1);
    // The dry run explains it like the other history facts.
    const dry = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'purchase', participantId: 'ann' } });
    expect(dry.body.rules[0].conditions.children[1]).toMatchObject({ fact: 'eventSum', params: { type: 'purchase', path: 'order.total', days: 30 }, factValue: 101, result: 'pass' });
  });

  it(`adds only the newest ${EVENT_SUM_MAX_EVENTS} events of the type`, async () => {
    // Written straight to the table: the bound is about many stored events, not how they came.
    const rows = Array.from({ length: EVENT_SUM_MAX_EVENTS + 5 }, (_, i) => ({
      tenant_id: tenantId,
      id: `bulk-${i}`,
      program_id: programId,
      type: 'purchase',
      participant_id: 'bulk',
      // The 5 oldest carry 1000 each: past the bound, they do not count.
      data: JSON.stringify({ amount: i < 5 ? 1000 : 1 }),
      occurred_at: new Date(Date.parse(ago(2)) + i * 1000).toISOString(),
      request_hash: 'x',
      response: '{}',
      created_at: ago(2),
    }));
    for (let i = 0; i < rows.length; i += 200) await h.store.db.insertInto('events').values(rows.slice(i, i + 200)).execute();
    expect(await sums('bulk', rulesOf(leaf({ type: 'purchase', path: 'amount' })))).toEqual([EVENT_SUM_MAX_EVENTS]);
    // Other types do not take places in the bound.
    expect(await sums('bulk', rulesOf(leaf({ type: 'refund', path: 'amount' })))).toEqual([0]);
  });

  it(`adds only the newest events within ${EVENT_SUM_MAX_BYTES / 1048576} MiB of data`, async () => {
    // Payloads of 1,000,000 bytes each: 8 fit in 8 MiB, the 9th would not.
    const data = (amount: number) => {
      const head = JSON.stringify({ amount, pad: '' });
      return JSON.stringify({ amount, pad: 'x'.repeat(1_000_000 - head.length) });
    };
    expect(data(1).length).toBe(1_000_000);
    for (let i = 0; i < 12; i++) {
      await h.store.db
        .insertInto('events')
        .values({ tenant_id: tenantId, id: `heavy-${i}`, program_id: programId, type: 'upload', participant_id: 'bulk', data: data(i < 4 ? 1000 : 1), occurred_at: new Date(Date.parse(ago(2)) + i * 1000).toISOString(), request_hash: 'x', response: '{}', created_at: ago(2) })
        .execute();
    }
    expect(EVENT_SUM_MAX_BYTES).toBeGreaterThanOrEqual(8_000_000);
    expect(EVENT_SUM_MAX_BYTES).toBeLessThan(9_000_000);
    expect(await sums('bulk', rulesOf(leaf({ type: 'upload', path: 'amount' })))).toEqual([8]);
  });

  it('refuses paths that are not plain dotted names, with a pointer, and needs type and path', async () => {
    const at = '/rules/0/conditions/all/0/params';
    const problems = async (params: object) => {
      const res = await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rulesOf(leaf(params)) });
      expect(res.status).toBe(422);
      return res.body.error.details as { pointer: string; message: string }[];
    };
    const badPaths = ['', "total') OR 1=1 --", 'a; DROP TABLE events', '$.amount', 'order..total', 'order.', 'items[0].price', 'items.*.price', 'a b', '"a"', 'a.b.c.d.e.f.g.h.i', 'x'.repeat(65), 'é'];
    for (const path of badPaths) {
      const details = await problems({ type: 'purchase', path });
      expect(details.map((d) => d.pointer), path).toEqual([`${at}/path`]);
    }
    expect(await problems({ type: 'purchase', path: 'a.b.c.d.e.f.g.h.i' })).toEqual([{ pointer: `${at}/path`, message: 'path must have at most 8 names' }]);
    expect(await problems({ type: 'purchase', path: '' })).toEqual([{ pointer: `${at}/path`, message: 'path must not be empty' }]);
    expect(await problems({ type: 'purchase', path: 7 })).toEqual([{ pointer: `${at}/path`, message: 'path must be a string' }]);
    expect(await problems({ path: 'amount' })).toEqual([{ pointer: `${at}/type`, message: 'eventSum needs the param "type"' }]);
    expect(await problems({ type: 'purchase' })).toEqual([{ pointer: `${at}/path`, message: 'eventSum needs the param "path"' }]);
    expect(await problems({ type: 'purchase', path: 'amount', sum: 'x' })).toEqual([{ pointer: `${at}/sum`, message: 'eventSum has no param "sum"' }]);
    // The longest accepted path: 8 names of 64 characters.
    const longest = Array.from({ length: 8 }, (_, i) => `${i}`.repeat(64)).join('.');
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rulesOf(leaf({ type: 'purchase', path: longest })) })).status).toBe(200);
    expect(await sums('ann', rulesOf(leaf({ type: 'purchase', path: longest })))).toEqual([0]);
  });

  it('counts toward the distinct history facts of a ruleset', async () => {
    const res = await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rulesOf(...Array.from({ length: 6 }, (_, i) => leaf({ type: 'purchase', path: `f${i}` }))) });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: any) => d.pointer)).toContain('/rules');
  });
});
