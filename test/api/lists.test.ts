import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { checkExchanges } from '../support/openapi-check.ts';
import { referralRules } from './fixtures.ts';

// GET /v1/participants, /v1/rewards, /v1/programs/:id/events and /v1/emails:
// newest first, `limit` and `before` (the previous page's `next`), filters.

describe.each(DIALECTS)('lists with cursors on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let other: string;
  let p1: string;
  let p2: string;

  /** Follows `next` to the end; fails if a page repeats or skips anything (checked by the callers). */
  async function all(path: string, key: string, limit: number) {
    const items: any[] = [];
    let url = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}`;
    for (let pages = 0; pages < 100; pages++) {
      const res = await h.request('GET', url, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body[key].length).toBeLessThanOrEqual(limit);
      items.push(...res.body[key]);
      if (res.body.next === null) return items;
      url = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}&before=${encodeURIComponent(res.body.next)}`;
    }
    throw new Error('more than 100 pages');
  }

  beforeAll(async () => {
    h = await createHarness(dialect, { start: '2026-03-01T10:00:00.000Z' });
    token = (await h.tenant('Acme')).apiKey;
    other = (await h.tenant('Other')).apiKey;
    p1 = (await h.request('POST', '/v1/programs', { token, body: { name: 'One' } })).body.id;
    p2 = (await h.request('POST', '/v1/programs', { token, body: { name: 'Two' } })).body.id;
    for (const p of [p1, p2]) expect((await h.request('PUT', `/v1/programs/${p}/rules`, { token, body: referralRules })).status).toBe(200);
    // Several participants share a millisecond: the cursor must still neither skip nor repeat them.
    await h.request('PUT', '/v1/participants/alice', { token, body: { email: 'Alice@Example.com', payoutInfoComplete: true } });
    for (const name of ['a-b', 'ab', 'bob', 'carol', 'dave']) {
      await h.request('PUT', `/v1/participants/${name}`, { token, body: { email: `${name}@example.com`, referredBy: 'alice' } });
    }
    h.clock.advance(60_000);
    await h.request('PUT', '/v1/participants/erin', { token, body: { email: 'erin@example.org', referredBy: 'alice' } });
    await h.request('PUT', '/v1/participants/zed', { token: other, body: { email: 'alice.other@example.com' } });
    // Events: purchases of 80 reward alice 25 (cash); signups reward the buyer 10 (credit).
    let n = 0;
    for (const [program, type, who] of [[p1, 'purchase', 'bob'], [p1, 'signup', 'carol'], [p2, 'purchase', 'dave'], [p1, 'purchase', 'carol'], [p2, 'signup', 'erin']] as const) {
      h.clock.advance(n === 3 ? 3_600_000 : 1_000);
      const res = await h.request('POST', `/v1/programs/${program}/events`, { token, body: { id: `e${++n}`, type, participantId: who, data: { amount: 80 } } });
      expect(res.status).toBe(201);
    }
    await h.services.dispatcher.drain();
  });
  afterAll(() => h.close());

  it('pages participants newest first, each exactly once, and searches by email prefix', async () => {
    const everyone = await all('/v1/participants', 'participants', 2);
    expect(everyone.map((p) => p.id)).toEqual(['erin', 'dave', 'carol', 'bob', 'alice', 'ab', 'a-b']);
    expect(everyone[0]).toMatchObject({ email: 'erin@example.org', referredBy: 'alice', passwordSet: false });
    const byPrefix = async (q: string) => (await all(`/v1/participants?email=${encodeURIComponent(q)}`, 'participants', 1)).map((p) => p.id);
    expect(await byPrefix('A')).toEqual(['alice', 'ab', 'a-b']);
    expect(await byPrefix('a-')).toEqual(['a-b']);
    expect(await byPrefix('alice@example.')).toEqual(['alice']);
    expect(await byPrefix('%')).toEqual([]);
    expect(await byPrefix('zzz')).toEqual([]);
  });

  it('filters participants by referrer, W-9, payout details, unsubscribe and what their rewards wait for', async () => {
    const ids = async (q: string, key = token) => {
      const res = await h.request('GET', `/v1/participants?${q}`, { token: key });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.participants.map((p: { id: string }) => p.id);
    };
    expect(await ids('referredBy=alice')).toEqual(['erin', 'dave', 'carol', 'bob', 'ab', 'a-b']);
    expect(await ids('referredBy=alice&email=e')).toEqual(['erin']);
    expect(await ids('payoutInfoComplete=true')).toEqual(['alice']);
    expect(await ids('payoutInfoComplete=false&referredBy=alice&limit=2')).toEqual(['erin', 'dave']);
    expect(await ids('w9OnFile=true')).toEqual([]);
    expect((await ids('w9OnFile=false')).length).toBe(7);
    expect(await ids('unsubscribed=true')).toEqual([]);
    expect(await ids('waitingFor=w9_required')).toEqual([]);

    // A third tenant: a held reward and an unsubscribe, neither visible to the first.
    const third = (await h.tenant('Third')).apiKey;
    const held = (await h.request('POST', '/v1/programs', { token: third, body: { name: 'Held', settings: { holdDays: 5 } } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${held}/rules`, { token: third, body: referralRules })).status).toBe(200);
    await h.request('PUT', '/v1/participants/zed', { token: third, body: { email: 'zed@example.com' } });
    await h.request('PUT', '/v1/participants/yan', { token: third, body: { email: 'yan@example.com', referredBy: 'zed', unsubscribed: true } });
    expect((await h.request('POST', `/v1/programs/${held}/events`, { token: third, body: { id: 'h1', type: 'purchase', participantId: 'yan', data: { amount: 80 } } })).status).toBe(201);
    expect(await ids('waitingFor=hold', third)).toEqual(['zed']);
    expect(await ids('waitingFor=hold')).toEqual([]);
    expect(await ids('unsubscribed=true', third)).toEqual(['yan']);
    expect(await ids('unsubscribed=false', third)).toEqual(['zed']);

    const bad = await h.request('GET', '/v1/participants?w9OnFile=yes&waitingFor=%25', { token });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { pointer: string }) => d.pointer).sort()).toEqual(['/w9OnFile', '/waitingFor']);
  });

  it('pages rewards and filters them by program, participant, status, kind and time', async () => {
    const rewards = await all('/v1/rewards', 'rewards', 2);
    expect(rewards.map((r) => r.eventId)).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
    const ids = async (q: string) => (await all(`/v1/rewards?${q}`, 'rewards', 10)).map((r) => r.eventId);
    expect(await ids(`programId=${p2}`)).toEqual(['e5', 'e3']);
    expect(await ids('participantId=alice')).toEqual(['e4', 'e3', 'e1']);
    expect(await ids('kind=credit')).toEqual(['e5', 'e2']);
    expect(await ids(`kind=cash&programId=${p1}`)).toEqual(['e4', 'e1']);
    expect(await ids('status=available&participantId=carol')).toEqual(['e2']);
    expect(await ids('status=cancelled')).toEqual([]);
    expect(await ids('from=2026-03-01T11:00:00Z')).toEqual(['e5', 'e4']);
    expect(await ids('to=2026-03-01T11:00:00Z')).toEqual(['e3', 'e2', 'e1']);
  });

  it("pages a program's events and filters them by type and time", async () => {
    const events = await all(`/v1/programs/${p1}/events`, 'events', 1);
    expect(events.map((e) => e.id)).toEqual(['e4', 'e2', 'e1']);
    expect(events[0]).toMatchObject({ programId: p1, type: 'purchase', participantId: 'carol', data: { amount: 80 }, processed: true });
    expect((await all(`/v1/programs/${p1}/events?type=signup`, 'events', 5)).map((e) => e.id)).toEqual(['e2']);
    expect((await all(`/v1/programs/${p2}/events?from=2026-03-01T11:00:00Z`, 'events', 5)).map((e) => e.id)).toEqual(['e5']);
    expect((await h.request('GET', '/v1/programs/nope/events', { token })).status).toBe(404);
    // Another tenant sees neither the program nor its events.
    expect((await h.request('GET', `/v1/programs/${p1}/events`, { token: other })).status).toBe(404);
  });

  it('pages emails with the same cursor, and still takes the bare timestamp it used to answer', async () => {
    const emails = await all('/v1/emails', 'emails', 2);
    expect(emails.length).toBeGreaterThanOrEqual(8);
    expect(new Set(emails.map((e) => e.id)).size).toBe(emails.length);
    const legacy = await h.request('GET', `/v1/emails?before=${encodeURIComponent('2026-03-01T10:30:00.000Z')}`, { token });
    expect(legacy.status).toBe(200);
    expect(legacy.body.emails.every((e: any) => e.createdAt < '2026-03-01T10:30:00.000Z')).toBe(true);
  });

  it('keeps each tenant to its own rows', async () => {
    const theirs = await all('/v1/participants', 'participants', 10);
    expect(theirs.map((p) => p.id)).not.toContain('zed');
    const res = await h.request('GET', '/v1/participants', { token: other });
    expect(res.body.participants.map((p: any) => p.id)).toEqual(['zed']);
    expect((await h.request('GET', '/v1/rewards', { token: other })).body.rewards).toEqual([]);
  });

  it('names the bad query parameter', async () => {
    for (const [query, pointer] of [['limit=0', '/limit'], ['limit=201', '/limit'], ['limit=ten', '/limit'], ['before=not-a-cursor', '/before'], [`before=${btoa('[1,2]')}`, '/before'], [`before=${btoa('{"at":"x"}')}`, '/before'], [`before=${'A'.repeat(601)}`, '/before'], ['kind=points', '/kind'], ['from=yesterday', '/from'], ['colour=red', '/colour']]) {
      const res = await h.request('GET', `/v1/rewards?${query}`, { token });
      expect(res.status, query).toBe(422);
      expect(res.body.error.details.map((d: any) => d.pointer), query).toEqual([pointer]);
    }
  });

  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});

describe('list indexes', () => {
  it('are what SQLite reads each list through', async () => {
    const h = await createHarness('sqlite');
    const plan = async (q: string) => (await sql.raw(`explain query plan ${q}`).execute(h.store.db)).rows.map((r: any) => r.detail).join(' | ');
    expect(await plan("select * from participants where tenant_id = 't' order by created_at desc, id desc limit 50")).toContain('participants_created');
    expect(await plan("select * from rewards where tenant_id = 't' order by created_at desc, id desc limit 50")).toContain('rewards_created');
    expect(await plan("select * from events where tenant_id = 't' and program_id = 'p' order by created_at desc, id desc limit 50")).toContain('events_program_created');
    await h.close();
  });
});
