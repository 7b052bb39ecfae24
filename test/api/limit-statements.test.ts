import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { createTestStore, DIALECTS } from '../support/databases.ts';

// What limits and history facts cost an event, counted in statements on the
// real app: nothing when a program has none, one count per limit covering a
// reward, one query per distinct history question.

const reward = { type: 'reward', params: { kind: 'credit', amount: 1, currency: 'USD' } };
const plain = { rules: [{ name: 'r', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'buy' }] }, event: reward }] };
const withHistory = {
  rules: [
    {
      name: 'r',
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'buy' },
          { fact: 'eventCount', params: { type: 'buy' }, operator: 'greaterThanInclusive', value: 0 },
          { fact: 'rewardTotal', params: { currency: 'USD', days: 30 }, operator: 'greaterThanInclusive', value: 0 },
        ],
      },
      event: reward,
    },
  ],
};

describe.each(DIALECTS)('statements per event on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let statements = 0;
  const counter: KyselyPlugin = {
    transformQuery: (args) => {
      statements++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  let n = 0;

  beforeAll(async () => {
    const store = await createTestStore(dialect);
    h = await createHarness(dialect, { store: { ...store, db: store.db.withPlugin(counter) } });
    key = (await h.tenant()).apiKey;
    await h.request('PUT', '/v1/participants/ann', { token: key, body: { email: 'ann@example.com' } });
    // No reward email: the outbox relay it would wake runs its own statements at times of its own.
    expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: false } })).status).toBe(200);
  });
  afterAll(() => h.close());

  /** The statements of one event on a program, after a first event warmed its caches. */
  async function cost(settings: object, rules: object, participantId = 'ann'): Promise<number> {
    const programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P', settings } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rules });
    await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `e${n++}`, type: 'buy', participantId } });
    const before = statements;
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `e${n++}`, type: 'buy', participantId } });
    expect(res.body.rewards).toHaveLength(1);
    expect(res.body.emails).toHaveLength(0);
    return statements - before;
  }

  it('adds nothing without limits, one count per limit, and the program lock on PostgreSQL', async () => {
    const none = await cost({}, plain);
    expect(await cost({ limits: [] }, plain)).toBe(none);
    const participant = { name: 'a', scope: 'participant', measure: 'count', period: 'month', max: 100 };
    const program = { name: 'b', scope: 'program', measure: 'amount', currency: 'USD', period: 'lifetime', max: 100000 };
    // A limit that covers no reward of the event (another kind) costs nothing either.
    expect(await cost({ limits: [{ ...participant, kind: 'cash' }] }, plain)).toBe(none);
    expect(await cost({ limits: [participant] }, plain)).toBe(none + 1);
    expect(await cost({ limits: [participant, program] }, plain)).toBe(none + 2 + (dialect === 'postgres' ? 1 : 0));
  });

  it('adds one query per distinct history question a rule asks', async () => {
    const none = await cost({}, plain);
    expect(await cost({}, withHistory)).toBe(none + 2);
  });

  it('adds nothing for referral checks that allow; one statement per deciding check that reads the store', async () => {
    await h.request('PUT', '/v1/participants/ref', { token: key, body: { email: 'ref@example.com' } });
    await h.request('PUT', '/v1/participants/kid', { token: key, body: { email: 'kid@example.com', referredBy: 'ref' } });
    const toReferrer = { rules: [{ ...plain.rules[0], event: { type: 'reward', params: { ...reward.params, to: 'referrer' } } }] };
    const all = (outcome: string) => ({ referralChecks: { selfReferral: { outcome }, cycle: { outcome }, rate: { outcome }, disposableEmail: { outcome }, blocked: { outcome } } });
    const none = await cost({}, toReferrer, 'kid');
    expect(await cost(all('allow'), toReferrer, 'kid')).toBe(none);
    // selfReferral and disposableEmail read nothing (the referrer is the reward's recipient, already read); cycle, rate and blocked one each.
    expect(await cost(all('deny'), toReferrer, 'kid')).toBe(none + 3);
    // A reward to the participant itself runs no check.
    expect(await cost(all('deny'), plain, 'kid')).toBe(await cost({}, plain, 'kid'));
  });
});
