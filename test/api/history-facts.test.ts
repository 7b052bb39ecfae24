import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

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
