import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { referralRules } from './fixtures.ts';
import { MAX_CHAIN } from '../../plugins/referral-checks/cycle.ts';
import { runRewardLifecycle } from '../../runtime/services/reward-lifecycle-service.ts';

// Referral checks through the real app: each check flags its referral at the
// participant's PUT (recorded as participant.referralFlags), and the
// program's outcome decides the referrer's reward when it is planned:
// `allow` pays, `review` writes it pending (`review`) with review_flags,
// `deny` writes none and says `skipped: "check:<name>"`.

const CHECKS = ['selfReferral', 'cycle', 'rate', 'disposableEmail', 'blocked'] as const;
type Check = (typeof CHECKS)[number];
const allAs = (outcome: string, rate = { count: 2, windowMinutes: 30 }) => ({
  selfReferral: { outcome },
  cycle: { outcome },
  rate: { outcome, ...rate },
  disposableEmail: { outcome },
  blocked: { outcome },
});

// For each check: the referred participant whose referral raises it (set up below).
const FLAGGED: Record<Check, string> = { selfReferral: 'sr-p', cycle: 'cy-b', rate: 'rt-4', disposableEmail: 'dp-p', blocked: 'bl-p' };

describe.each(DIALECTS)('referral checks on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;
  let n = 0;
  const put = (id: string, body: Record<string, unknown>, query = '') => h.request('PUT', `/v1/participants/${id}${query}`, { token: key, body });
  const settle = (referralChecks: unknown) => h.request('PATCH', `/v1/programs/${programId}`, { token: key, body: { settings: { referralChecks } } });
  const purchase = (participantId: string) => h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `buy-${++n}`, type: 'purchase', participantId, data: { amount: 60 } } });
  const bonusOf = (fired: any[]) => fired.find((f) => f.rule === 'referrer-bonus');

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Checked' } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules });
    const referrer = (id: string, email: string) => put(id, { email, payoutInfoComplete: true });
    expect((await h.request('PUT', '/v1/referral-blocks', { token: key, body: { blocks: ['Blocked.Example', 'Bad.Guy+x@Gmail.com'] } })).status).toBe(200);

    await referrer('sr-ref', 'John.Doe@gmail.com');
    await put('sr-p', { email: 'johndoe+ref@googlemail.com', referredBy: 'sr-ref' });
    // cy-a names cy-b before cy-b exists; cy-b then names cy-a: a cycle of two.
    await put('cy-a', { email: 'a@cycle.test', referredBy: 'cy-b', payoutInfoComplete: true });
    await put('cy-b', { email: 'b@cycle.test', referredBy: 'cy-a', payoutInfoComplete: true });
    // Four referrals a minute apart: the fourth is more than 3 (the default) in 30 minutes.
    await referrer('rt-ref', 'busy@rate.test');
    for (const i of [1, 2, 3, 4]) {
      await put(`rt-${i}`, { email: `r${i}@rate.test`, referredBy: 'rt-ref' });
      h.clock.advance(60_000);
    }
    await referrer('dp-ref', 'host@example.com');
    await put('dp-p', { email: 'someone@Mailinator.com', referredBy: 'dp-ref' });
    await referrer('bl-ref', 'owner@example.com');
    await put('bl-p', { email: 'x@mail.blocked.example', referredBy: 'bl-ref' });
    await referrer('ok-ref', 'fine@example.com');
    await put('ok-p', { email: 'friend@example.org', referredBy: 'ok-ref' });
  });
  afterAll(() => h.close());

  it('records what each check found on the participant, as rules read it', async () => {
    for (const check of CHECKS) {
      const p = await h.request('GET', `/v1/participants/${FLAGGED[check]}`, { token: key });
      expect(p.body.referralFlags, check).toEqual([check]);
    }
    expect((await h.request('GET', '/v1/participants/ok-p', { token: key })).body.referralFlags).toEqual([]);
    expect((await h.request('GET', '/v1/participants/rt-1', { token: key })).body.referralFlags).toEqual([]);
    // A rule reads the flags: a draft run paying only unflagged referrals.
    const rules = [
      {
        name: 'clean-only',
        conditions: { all: [{ fact: 'participant', path: '$.referralFlags', operator: 'doesNotContain', value: 'disposableEmail' }] },
        event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD' } },
      },
    ];
    const dry = (participantId: string) => h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'x', participantId, rules } });
    expect((await dry('ok-p')).body.fired).toEqual([{ rule: 'clean-only', action: 'reward' }]);
    expect((await dry('dp-p')).body.fired).toEqual([]);
  });

  for (const check of CHECKS) {
    it(`${check}: allow pays, review holds with the flags, deny skips and says why`, async () => {
      const flagged = FLAGGED[check];
      expect((await settle({ [check]: { outcome: 'allow' }, ...(check === 'rate' ? { rate: { outcome: 'allow', count: 2 } } : {}) })).status).toBe(200);
      const allowed = await purchase(flagged);
      expect(allowed.status).toBe(201);
      expect(bonusOf(allowed.body.fired).skipped).toBeUndefined();
      expect(allowed.body.rewards).toHaveLength(1);
      expect(allowed.body.rewards[0].status).toBe('available');

      expect((await settle({ [check]: { outcome: 'review' }, ...(check === 'rate' ? { rate: { outcome: 'review', count: 2 } } : {}) })).status).toBe(200);
      const reviewed = await purchase(flagged);
      expect(reviewed.body.rewards).toHaveLength(1);
      expect(reviewed.body.rewards[0]).toMatchObject({ status: 'pending', pendingReasons: ['review'] });
      // Not announced to the referrer while a reviewer may still deny it (the purchaser's thank-you still goes).
      expect(reviewed.body.emails.map((e: any) => e.type)).toEqual(['email-action']);
      const row = await h.services.store.db.selectFrom('rewards').select('review_flags').where('id', '=', reviewed.body.rewards[0].id).executeTakeFirstOrThrow();
      const flags = JSON.parse(row.review_flags!);
      expect(flags).toHaveLength(1);
      expect(flags[0].check).toBe(check);
      expect(typeof flags[0].detail).toBe('string');

      expect((await settle({ [check]: { outcome: 'deny' }, ...(check === 'rate' ? { rate: { outcome: 'deny', count: 2 } } : {}) })).status).toBe(200);
      const denied = await purchase(flagged);
      expect(denied.status).toBe(201);
      expect(denied.body.rewards).toHaveLength(0);
      expect(bonusOf(denied.body.fired)).toEqual({ rule: 'referrer-bonus', action: 'reward', skipped: `check:${check}` });
      // The other rules still ran.
      expect(denied.body.emails).toHaveLength(1);
      // The dry run says the same, and what the checks found.
      const dry = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'purchase', participantId: flagged, data: { amount: 60 } } });
      expect(bonusOf(dry.body.fired)).toEqual({ rule: 'referrer-bonus', action: 'reward', skipped: `check:${check}` });
      expect(dry.body.referralChecks.outcome).toBe('deny');
      expect(dry.body.referralChecks.flags.map((f: any) => f.check)).toEqual([check]);

      // A clean referral passes every check even when all deny.
      const clean = await purchase('ok-p');
      expect(clean.body.rewards).toHaveLength(1);
      expect(clean.body.rewards[0].status).toBe('available');
      await settle(allAs('allow'));
    });
  }

  it('denies a participant write naming /referredBy when the named program denies, and records flags when it reviews', async () => {
    const loose = { count: 100, windowMinutes: 30 };
    await settle(allAs('deny', loose));
    const refused = await put('dp-2', { email: 'other@mailinator.com', referredBy: 'dp-ref' }, `?programId=${programId}`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([{ pointer: '/referredBy', message: expect.stringContaining('disposableEmail') }]);
    // Nothing half-written.
    expect((await h.request('GET', '/v1/participants/dp-2', { token: key })).status).toBe(404);
    // Without a program the checks only record.
    const recorded = await put('dp-2', { email: 'other@mailinator.com', referredBy: 'dp-ref' });
    expect(recorded.status).toBe(201);
    expect(recorded.body.referralFlags).toEqual(['disposableEmail']);

    await settle(allAs('review', loose));
    const accepted = await put('dp-3', { email: 'third@mailinator.com', referredBy: 'dp-ref' }, `?programId=${programId}`);
    expect(accepted.status).toBe(201);
    expect(accepted.body.referralFlags).toEqual(['disposableEmail']);
    // Clearing referredBy clears the flags.
    expect((await put('dp-3', { email: 'third@mailinator.com', referredBy: null })).body.referralFlags).toEqual([]);
    expect((await put('x', { email: 'x@example.com' }, '?programId=nope')).status).toBe(404);
    await settle(allAs('allow'));
  });

  it('counts the rate in its window: a referral 40 minutes later starts afresh', async () => {
    await settle(allAs('deny'));
    expect((await put('rt-5', { email: 'r5@rate.test', referredBy: 'rt-ref' }, `?programId=${programId}`)).status).toBe(422);
    h.clock.advance(40 * 60_000);
    const later = await put('rt-5', { email: 'r5@rate.test', referredBy: 'rt-ref' }, `?programId=${programId}`);
    expect(later.status).toBe(201);
    expect(later.body.referralFlags).toEqual([]);
    // A wider window from the settings catches it again (4 earlier + this one > 2 in 60 minutes).
    await settle({ ...allAs('deny'), rate: { outcome: 'deny', count: 2, windowMinutes: 60 } });
    const wide = await put('rt-5', { email: 'r5@rate.test', referredBy: 'rt-ref' }, `?programId=${programId}`);
    expect(wide.status).toBe(422);
    expect(wide.body.error.details[0].message).toContain('rate');
    await settle(allAs('allow'));
  });

  it('walks a huge referral chain only a bounded number of steps', async () => {
    // 3000 participants each referred by the one before (written straight to the store: setup, not the subject).
    const now = h.clock.now().toISOString();
    const tenantId = (await h.services.store.db.selectFrom('participants').select('tenant_id').where('id', '=', 'ok-p').executeTakeFirstOrThrow()).tenant_id;
    for (let i = 0; i < 3000; i += 50) {
      await h.services.store.db
        .insertInto('participants')
        .values(
          Array.from({ length: 50 }, (_, j) => {
            const k = i + j;
            return { tenant_id: tenantId, id: `chain-${k}`, email: `c${k}@chain.test`, first_name: null, last_name: null, locale: null, country_code: null, referred_by: k === 0 ? null : `chain-${k - 1}`, w9_on_file: 0, w9_on_file_at: null, payout_info_complete: 1, payout_info_completed_at: null, email_verified: 0, email_verified_at: null, password_hash: null, created_at: now, updated_at: now };
          }),
        )
        .execute();
    }
    await settle(allAs('deny', { count: 100_000, windowMinutes: 30 }));
    // The head referred by the tail closes a 3000-long loop: past the walk's bound, so not seen (and not slow).
    const started = performance.now();
    const far = await put('chain-0', { email: 'c0@chain.test', referredBy: 'chain-2999' }, `?programId=${programId}`);
    expect(far.status).toBe(200);
    expect(far.body.referralFlags).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5000);
    // A loop within the bound is found: chain-(MAX_CHAIN) referred by chain-(MAX_CHAIN-1)… back to chain-0, which names chain-(MAX_CHAIN).
    const near = await put('chain-0', { email: 'c0@chain.test', referredBy: `chain-${MAX_CHAIN}` }, `?programId=${programId}`);
    expect(near.status).toBe(422);
    expect(near.body.error.details[0].message).toContain('cycle');
    await settle(allAs('allow'));
  });

  it('validates and bounds the block list, stores canonical spellings, and keeps it per tenant', async () => {
    const listed = await h.request('GET', '/v1/referral-blocks', { token: key });
    expect(listed.body.blocks.map((b: any) => b.value)).toEqual(['badguy@gmail.com', 'blocked.example']);
    for (const bad of ['<script>', 'a@b@c', 'Foo <a@b.com>', 'no spaces.com x', '-bad.com', '', 'x'.repeat(300)]) {
      const r = await h.request('PUT', '/v1/referral-blocks', { token: key, body: { blocks: [bad] } });
      expect(r.status, bad).toBe(422);
      expect(r.body.error.details[0].pointer).toBe('/blocks/0');
    }
    const tooMany = await h.request('PUT', '/v1/referral-blocks', { token: key, body: { blocks: Array.from({ length: 501 }, (_, i) => `d${i}.example`) } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.details[0].pointer).toBe('/blocks');
    expect((await h.request('GET', '/v1/referral-blocks', { token: key })).body.blocks).toHaveLength(2);
    // A blocked referrer address, however it is spelled.
    await put('bg-ref', { email: 'B.a.d.Guy@googlemail.com', payoutInfoComplete: true });
    expect((await put('bg-p', { email: 'new@example.net', referredBy: 'bg-ref' })).body.referralFlags).toEqual(['blocked']);
    // Another tenant's list is its own.
    const other = (await h.tenant('Other')).apiKey;
    expect((await h.request('GET', '/v1/referral-blocks', { token: other })).body.blocks).toEqual([]);
    await h.request('PUT', '/v1/participants/bl-ref', { token: other, body: { email: 'owner@example.com' } });
    const theirs = await h.request('PUT', '/v1/participants/bl-p', { token: other, body: { email: 'x@mail.blocked.example', referredBy: 'bl-ref' } });
    expect(theirs.body.referralFlags).toEqual([]);
  });

  it('takes weird addresses and ids without a 500: quoted, unicode, tagged, oversized', async () => {
    await settle(allAs('review', { count: 100_000, windowMinutes: 30 }));
    const weird = ['"x+y.z"@mailinator.com', 'Üser+tag@Exämple.com', `${'a.'.repeat(30)}b+${'t'.repeat(40)}@googlemail.com`, 'a@sub.sub.mailinator.com', 'x@[127.0.0.1]', `${'x'.repeat(250)}@e.com`];
    for (const [i, email] of weird.entries()) {
      const r = await put(`weird-${i}`, { email, referredBy: 'ok-ref' }, `?programId=${programId}`);
      expect([201, 422], email).toContain(r.status);
      if (r.status === 422) expect(r.body.error.details[0].pointer).toBe('/email');
    }
    expect((await h.request('GET', '/v1/participants/weird-0', { token: key })).body.referralFlags).toEqual(['disposableEmail']);
    expect((await h.request('GET', '/v1/participants/weird-3', { token: key })).body.referralFlags).toEqual(['disposableEmail']);
    for (const id of ['../etc', 'x'.repeat(500), '']) {
      const r = await put('weird-id', { email: 'w@example.com', referredBy: id });
      expect(r.status).toBe(422);
      expect(r.body.error.details[0].pointer).toBe('/referredBy');
    }
    await settle(allAs('allow'));
  });

  it('refuses malformed check settings with a pointer', async () => {
    const bad = await settle({ rate: { outcome: 'maybe', count: 0 } });
    expect(bad.status).toBe(422);
    const pointers = bad.body.error.details.map((d: any) => d.pointer);
    expect(pointers).toContain('/settings/referralChecks/rate/outcome');
    expect(pointers).toContain('/settings/referralChecks/rate/count');
    expect((await settle({ unknown: { outcome: 'deny' } })).status).toBe(422);
    const stored = await h.request('GET', `/v1/programs/${programId}`, { token: key });
    expect(stored.body.settings.referralChecks).toEqual(allAs('allow', { count: 2, windowMinutes: 30 }));
  });

  it('keeps a reward in review quiet when its hold ends: still pending for review, no email', async () => {
    await h.request('PATCH', `/v1/programs/${programId}`, { token: key, body: { settings: { holdDays: 1, referralChecks: allAs('review', { count: 100, windowMinutes: 30 }) } } });
    const rewardMails = async () => (await h.services.store.db.selectFrom('emails').select('type').where('participant_id', '=', 'dp-ref').execute()).filter((m) => m.type === 'reward' || m.type === 'reward-pending').length;
    const mailsBefore = await rewardMails();
    const held = await purchase('dp-p');
    expect(held.body.rewards[0].pendingReasons).toEqual(['hold', 'review']);
    h.clock.advance(2 * 86_400_000);
    expect((await runRewardLifecycle(h.services)).released).toBeGreaterThanOrEqual(1);
    const after = (await h.request('GET', '/v1/participants/dp-ref/rewards', { token: key })).body.rewards.find((r: any) => r.id === held.body.rewards[0].id);
    expect(after).toMatchObject({ status: 'pending', pendingReasons: ['review'] });
    expect(await rewardMails()).toBe(mailsBefore);
    await h.request('PATCH', `/v1/programs/${programId}`, { token: key, body: { settings: { holdDays: 0, referralChecks: allAs('allow') } } });
  });
});
