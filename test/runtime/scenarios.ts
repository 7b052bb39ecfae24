import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'advocate-rules/client';
import { referralRules } from '../api/fixtures.ts';
import { lifecycleRules } from '../api/reward-lifecycle-fixtures.ts';
import { startRuntime, type RunningRuntime, type RuntimeName, type StartOptions } from './runtime-process.ts';
import { SMTP_USER, scenarioCertificate, startScenarioSmtp, type ScenarioSmtp } from './scenario-mail.ts';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// The end-to-end scenarios, written once against HTTP and run against the
// server as each runtime serves it (test/runtime/{node,deno,workerd}.test.ts).
// Mail goes to real SMTP servers on loopback: the built-in sender relays over
// STARTTLS with a login; three tenants bring their own servers, one per
// security mode (none, STARTTLS, implicit TLS).

export type RuntimeUnderTest = {
  runtime: RuntimeName;
  /** What /health must report. */
  dialect: 'sqlite' | 'postgres' | 'd1';
  /** Extra settings (DATABASE_URL) and arguments to the start script, given a fresh temp folder. */
  prepare(): Promise<{ env: Record<string, string>; args?: string[]; cleanup?(): Promise<void> }>;
  /** Another start than `npm run start:<runtime>` here, e.g. the built server from a clean install. */
  start?(): StartOptions;
};

const ADMIN_TOKEN = 'scenario-admin-token-0123456789';
const SECRET_KEY = 'c2NlbmFyaW8ta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0';
const SECURITY_MODES = [
  ['none', 'plain'],
  ['tls', 'starttls'],
  ['ssl', 'implicit'],
] as const;

type Reply = { status: number; body: any; headers: Headers };

export function describeRuntime(label: string, target: RuntimeUnderTest): void {
  describe(`scenarios on ${label}`, () => {
    let server: RunningRuntime;
    let relay: ScenarioSmtp;
    let receiver: WebhookReceiver;
    let cleanup: (() => Promise<void>) | undefined;
    const tenantServers = new Map<string, ScenarioSmtp>();
    let slow: ScenarioSmtp;
    let key: string;
    let tenantId: string;
    let webhookSecret: string;
    let programId: string;

    const call = async (method: string, path: string, o: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> => {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.baseUrl}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    };
    const ok = async (reply: Promise<Reply>, status: number) => {
      const r = await reply;
      if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}\n--- server output ---\n${server.output().slice(-4000)}`);
      return r.body;
    };
    const emails = async (token: string) => (await ok(call('GET', '/v1/emails?limit=200', { token }), 200)).emails as any[];
    /** Polls the email log until `done` holds: delivery happens after the response, in the background. */
    const settle = async (token: string, done: (log: any[]) => boolean, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const log = await emails(token);
        if (done(log)) return log;
        if (Date.now() > deadline) throw new Error(`emails did not settle: ${JSON.stringify(log.map((e) => [e.type, e.to, e.status, e.lastResponse]))}\n--- server output ---\n${server.output().slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    /** Through the typed client (advocate-rules/client), so it is proven against every runtime too. */
    const typed = <T>(answer: { data?: T; error?: unknown; response: Response }, status: number): T => {
      if (answer.response.status !== status || answer.data === undefined) throw new Error(`expected ${status}, got ${answer.response.status}: ${JSON.stringify(answer.error)}\n--- server output ---\n${server.output().slice(-4000)}`);
      return answer.data;
    };
    const setUpTenant = async (name: string) => {
      const operator = createClient({ baseUrl: server.baseUrl, apiKey: ADMIN_TOKEN });
      const tenant = typed(await operator.POST('/v1/tenants', { body: { name }, headers: { 'idempotency-key': `tenant-${name.replace(/\W+/g, '-')}` } }), 201);
      const api = createClient({ baseUrl: server.baseUrl, apiKey: tenant.apiKey });
      const program = typed(await api.POST('/v1/programs', { body: { name: `${name} friends` } }), 201);
      typed(await api.PUT('/v1/programs/{programId}/rules', { params: { path: { programId: program.id } }, body: referralRules }), 200);
      return { tenant, programId: program.id };
    };

    beforeAll(async () => {
      const cert = scenarioCertificate();
      relay = await startScenarioSmtp('starttls', cert, { failFirst: /^greylisted@/ });
      receiver = await startWebhookReceiver({ cert });
      for (const [security, mode] of SECURITY_MODES) tenantServers.set(security, await startScenarioSmtp(mode, cert));
      slow = await startScenarioSmtp('plain', cert, { hold: true });
      const prepared = await target.prepare();
      cleanup = prepared.cleanup;
      server = await startRuntime(
        target.runtime,
        {
          ADMIN_TOKEN,
          SECRET_KEY,
          PUBLIC_URL: 'https://refer.example.com',
          MAIL_FROM: 'rewards@refer.example.com',
          BUILTIN_SMTP_URL: `smtp://${SMTP_USER.username}:${encodeURIComponent(SMTP_USER.password)}@127.0.0.1:${relay.port}`,
          // Tenants' servers are on loopback here; production keeps private hosts refused.
          ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          // The webhook receiver too.
          ALLOW_PRIVATE_WEBHOOK_HOSTS: 'true',
          SMTP_PORTS: [...tenantServers.values(), slow].map((s) => s.port).join(','),
          // The background loop (a timer, or the Cron Trigger fired by start:workerd) every
          // half second, and a failed email's first retry due after 0.5-1 s.
          DISPATCH_INTERVAL_MS: '500',
          SCHEDULER_INTERVAL_MS: '500',
          MAIL_RETRY_BASE_MS: '1000',
          // Backtests in chunks of two events, so one of the program's takes several scheduler runs.
          BACKTEST_CHUNK_EVENTS: '2',
          // Trust the test certificate as an operator trusts a private CA: Node and wrangler
          // read NODE_EXTRA_CA_CERTS themselves, the Deno entry reads it for its SMTP client.
          NODE_EXTRA_CA_CERTS: cert.file,
          ...prepared.env,
        },
        prepared.args,
        undefined,
        target.start?.(),
      );

      const tenant = await ok(call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: 'Acme' } }), 201);
      ({ apiKey: key, id: tenantId, webhookSecret } = tenant);
      // A W-9 threshold of $20 makes the first $25 referral bonus cross it.
      const program = await ok(call('POST', '/v1/programs', { token: key, body: { name: 'Friends', settings: { w9ThresholdCents: 2000 } } }), 201);
      programId = program.id;
      await ok(call('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules }), 200);
      await ok(call('PUT', '/v1/participants/alice', { token: key, body: { email: 'alice@example.com', firstName: 'Alice', payoutInfoComplete: true } }), 201);
      await ok(call('PUT', '/v1/participants/bob', { token: key, body: { email: 'bob@example.com', firstName: 'Bob', referredBy: 'alice' } }), 201);
    }, 150_000);

    afterAll(async () => {
      await server?.stop();
      await relay?.close();
      await receiver?.close();
      await Promise.all([...tenantServers.values()].map((s) => s.close()));
      slow?.release();
      await slow?.close();
      await cleanup?.();
    });

    it('is healthy on its database once migrated', async () => {
      expect(await ok(call('GET', '/health'), 200)).toEqual({ status: 'ok', dialect: target.dialect });
    });

    it('runs the referral checks on its database: a cycle and a blocked domain refused, a disposable domain held for review', async () => {
      const checks = { cycle: { outcome: 'deny' }, blocked: { outcome: 'deny' }, disposableEmail: { outcome: 'review' } };
      const strict = await ok(call('POST', '/v1/programs', { token: key, body: { name: 'Strict', settings: { referralChecks: checks } } }), 201);
      // Only the referrer's bonus: no email of its own, so the mail scenarios below count what they did.
      await ok(call('PUT', `/v1/programs/${strict.id}/rules`, { token: key, body: { rules: referralRules.rules.filter((r) => r.name === 'referrer-bonus') } }), 200);
      await ok(call('PUT', '/v1/referral-blocks', { token: key, body: { blocks: ['spam.example'] } }), 200);
      await ok(call('PUT', '/v1/participants/rc-a', { token: key, body: { email: 'a@example.com', referredBy: 'rc-b', payoutInfoComplete: true } }), 201);
      const cycle = await call('PUT', `/v1/participants/rc-b?programId=${strict.id}`, { token: key, body: { email: 'b@example.com', referredBy: 'rc-a' } });
      expect(cycle.status).toBe(422);
      expect(cycle.body.error.details[0]).toMatchObject({ pointer: '/referredBy', message: expect.stringContaining('cycle') });
      const spam = await call('PUT', `/v1/participants/rc-s?programId=${strict.id}`, { token: key, body: { email: 'x@spam.example', referredBy: 'rc-a' } });
      expect(spam.status).toBe(422);
      const temp = await ok(call('PUT', `/v1/participants/rc-t?programId=${strict.id}`, { token: key, body: { email: 'x@mailinator.com', referredBy: 'rc-a' } }), 201);
      expect(temp.referralFlags).toEqual(['disposableEmail']);
      const event = await ok(call('POST', `/v1/programs/${strict.id}/events`, { token: key, body: { id: 'rc-buy', type: 'purchase', participantId: 'rc-t', data: { amount: 60 } } }), 201);
      expect(event.rewards).toMatchObject([{ participantId: 'rc-a', status: 'pending', pendingReasons: ['review'] }]);
    });

    it('refuses bad requests with one error shape and JSON pointers', async () => {
      const noToken = await call('POST', '/v1/tenants', { body: { name: 'x' } });
      expect(noToken.status).toBe(401);
      expect(noToken.body.error.code).toBe('unauthorized');
      const empty = await call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: '' } });
      expect(empty.status).toBe(422);
      expect(empty.body.error).toMatchObject({ code: 'validation_failed', details: [{ pointer: '/name' }] });
      const garbled = await call('POST', `/v1/programs/${programId}/events`, { token: key, raw: '{"id": ' });
      expect(garbled.status).toBe(400);
      expect(garbled.body.error.code).toBe('invalid_json');
      const badEvent = await call('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'x', type: 'purchase' } });
      expect(badEvent.status).toBe(422);
      expect(badEvent.body.error.details).toContainEqual(expect.objectContaining({ pointer: '/participantId' }));
      const badRules = await call('PUT', `/v1/programs/${programId}/rules`, { token: key, body: { rules: [{ name: 'r', conditions: { all: [] }, event: { type: 'teleport' } }] } });
      expect(badRules.status).toBe(422);
      expect(badRules.body.error.code).toBe('invalid_rules');
      expect(badRules.body.error.details.length).toBeGreaterThan(0);
      expect(badRules.body.error.details[0].pointer).toMatch(/^\/rules\/0/);
    });

    it('fires the rules: a cash reward for the referrer, emails queued, the W-9 notice among them', async () => {
      const res = await ok(call('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'order-1', type: 'purchase', participantId: 'bob', data: { amount: 80 } } }), 201);
      expect(res.fired).toEqual([
        { rule: 'referrer-bonus', action: 'reward' },
        { rule: 'thank-you', action: 'email' },
      ]);
      expect(res.rewards).toEqual([expect.objectContaining({ participantId: 'alice', kind: 'cash', amountMinor: 2500, currency: 'USD', status: 'available' })]);
      expect(res.emails.map((e: any) => [e.type, e.to]).sort()).toEqual([
        ['email-action', 'bob@example.com'],
        ['reward', 'alice@example.com'],
        ['w9-notice', 'alice@example.com'],
      ]);
      const rewards = await ok(call('GET', '/v1/participants/alice/rewards', { token: key }), 200);
      expect(rewards.rewards.filter((r: any) => r.eventId === 'order-1')).toHaveLength(1);
      // The list endpoint, through the typed client, on this runtime's database.
      const listed = typed(await createClient({ baseUrl: server.baseUrl, apiKey: key }).GET('/v1/rewards', { params: { query: { programId, limit: 10 } } }), 200);
      expect(listed.rewards.map((r) => r.eventId)).toEqual(['order-1']);
      expect(listed.next).toBeNull();
    });

    it('delivers them through the relay over STARTTLS with a login, each with its logged Message-ID', async () => {
      const sent = await settle(key, (l) => l.every((e) => e.status === 'sent'));
      expect(sent).toHaveLength(3);
      for (const email of sent) {
        const received = relay.messages.find((m) => m.raw.includes(`Message-ID: ${email.messageId}`));
        expect(received, `${email.type} to ${email.to} reached the relay`).toBeDefined();
        expect(received).toMatchObject({ to: [email.to], from: 'rewards@refer.example.com', secure: true, user: SMTP_USER.username });
        expect(email.sender).toBe('builtin');
      }
      const thanks = relay.messages.find((m) => m.to[0] === 'bob@example.com')!;
      expect(thanks.raw).toMatch(/^From: Acme <rewards@refer\.example\.com>$/m);
      expect(thanks.raw).toContain('Thanks for joining us');
      const notice = relay.messages.find((m) => m.to[0] === 'alice@example.com' && /W-9/.test(m.raw))!;
      expect(notice.raw).toContain('$25.00');
    });

    it('replays an identical event, refuses the id with another body, and writes nothing twice', async () => {
      const body = { id: 'order-1', type: 'purchase', participantId: 'bob', data: { amount: 80 } };
      const again = await call('POST', `/v1/programs/${programId}/events`, { token: key, body });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.rewards).toHaveLength(1);
      const reused = await call('POST', `/v1/programs/${programId}/events`, { token: key, body: { ...body, data: { amount: 81 } } });
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
      // Concurrent duplicates: one 201; the others replay it, or (on D1, where the first
      // request's writes are not one transaction and its claim is visible mid-way) hear
      // 409 "being processed, retry shortly". A retry then replays the one answer.
      const second = { ...body, id: 'order-2' };
      const concurrent = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/v1/programs/${programId}/events`, { token: key, body: second })));
      const created = concurrent.filter((r) => r.status === 201);
      expect(created).toHaveLength(1);
      for (const r of concurrent.filter((x) => x.status !== 201)) {
        if (r.status === 200) expect(r.body).toEqual(created[0].body);
        else expect([r.status, r.body.error.code]).toEqual([409, 'conflict']);
      }
      expect((await ok(call('POST', `/v1/programs/${programId}/events`, { token: key, body: second }), 200))).toEqual(created[0].body);
      const rewards = await ok(call('GET', '/v1/participants/alice/rewards', { token: key }), 200);
      expect(rewards.rewards.filter((r: any) => r.eventId === 'order-2')).toHaveLength(1);
    });

    it('sends the W-9 notice once per tax year, however many rewards follow', async () => {
      const forAlice = (l: any[]) => l.filter((e) => e.to === 'alice@example.com');
      const log = await settle(key, (l) => forAlice(l).filter((e) => e.type === 'reward').length === 2 && l.every((e) => e.status === 'sent'));
      expect(forAlice(log).filter((e) => e.type === 'w9-notice')).toHaveLength(1);
    });

    it('holds, refunds, redeems in part and races redemptions without taking more than there is', async () => {
      const shop = (await ok(call('POST', '/v1/programs', { token: key, body: { name: 'Shop' } }), 201)).id;
      await ok(call('PUT', `/v1/programs/${shop}/rules`, { token: key, body: lifecycleRules }), 200);
      const event = (id: string, type: string, data: object = {}) => ok(call('POST', `/v1/programs/${shop}/events`, { token: key, body: { id, type, participantId: 'alice', data } }), 201);
      // A held purchase, refunded before its hold ends: cancelled, never available.
      const [held] = (await event('shop-order-1', 'purchase')).rewards;
      expect(held).toMatchObject({ status: 'pending', pendingReasons: ['hold'] });
      const refund = await event('shop-refund-1', 'refund', { purchaseEventId: 'shop-order-1' });
      expect(refund.cancelledRewards.map((r: any) => [r.id, r.status])).toEqual([[held.id, 'cancelled']]);
      // An available $25: $10 redeemed, then three redemptions of $10 race for the $15 left.
      const [cash] = (await event('shop-order-2', 'cash-25')).rewards;
      await ok(call('POST', `/v1/rewards/${cash.id}/redeem`, { token: key, body: { amount: 10 } }), 200);
      const race = await Promise.all([1, 2, 3].map(() => call('POST', `/v1/rewards/${cash.id}/redeem`, { token: key, body: { amount: 10 } })));
      expect(race.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      const after = await ok(call('GET', `/v1/rewards/${cash.id}`, { token: key }), 200);
      expect(after).toMatchObject({ status: 'available', remainingMinor: 500 });
      expect(after.history.map((h: any) => h.reason)).toEqual(['created', 'redeemed', 'redeemed']);
      const late = await event('shop-refund-2', 'refund', { purchaseEventId: 'shop-order-2' });
      expect(late.clawbacks).toEqual([expect.objectContaining({ rewardId: cash.id, redeemedAmountMinor: 2000 })]);
      const receipt = await ok(call('GET', `/v1/rewards/${cash.id}/receipt`, { token: key }), 200);
      expect(receipt).toMatchObject({ eventId: 'shop-order-2', rule: 'cash-25', ruleVersion: 1 });
    });

    // The point on D1, which has no interactive transaction to hold a lock between a
    // count and an insert: each covered insert re-counts its limits in the same statement.
    it("never passes a program's limits with 20 concurrent events against a limit of 5, on its database", async () => {
      const { tenant } = await setUpTenant('Capped');
      const token = tenant.apiKey;
      const limits = [
        { name: 'welcome-cap', scope: 'program', measure: 'count', kind: 'credit', period: 'lifetime', max: 5 },
        { name: 'referral-usd', scope: 'referrer', measure: 'amount', currency: 'USD', period: 'rolling', days: 30, max: 12500 },
      ];
      const capped = (await ok(call('POST', '/v1/programs', { token, body: { name: 'Capped', settings: { limits } } }), 201)).id;
      await ok(call('PUT', `/v1/programs/${capped}/rules`, { token, body: referralRules }), 200);
      await ok(call('PUT', '/v1/participants/cara', { token, body: { email: 'cara@example.com' } }), 201);
      for (let i = 0; i < 20; i++) await ok(call('PUT', `/v1/participants/c${i}`, { token, body: { email: `c${i}@example.com`, referredBy: 'cara' } }), 201);
      const post = (body: object) => call('POST', `/v1/programs/${capped}/events`, { token, body });
      const written = async (rule: string) =>
        (await ok(call('GET', `/v1/rewards?programId=${capped}&limit=100`, { token }), 200)).rewards.filter((r: any) => r.rule === rule);

      const signups = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ id: `cap-signup-${i}`, type: 'signup', participantId: `c${i}` })));
      expect(signups.map((r) => r.status), JSON.stringify(signups.find((r) => r.status !== 201)?.body)).toEqual(Array(20).fill(201));
      expect(signups.filter((r) => r.body.rewards.length === 1)).toHaveLength(5);
      const stopped = signups.filter((r) => r.body.rewards.length === 0);
      expect(stopped).toHaveLength(15);
      for (const r of stopped) expect(r.body.fired).toContainEqual({ rule: 'welcome-credit', action: 'reward', skipped: 'limit:welcome-cap' });
      expect(await written('welcome-credit')).toHaveLength(5);

      // One referrer's amount: $125 a rolling 30 days is 5 bonuses of $25.
      const buys = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ id: `cap-buy-${i}`, type: 'purchase', participantId: `c${i}`, data: { amount: 60 } })));
      expect(buys.map((r) => r.status), JSON.stringify(buys.find((r) => r.status !== 201)?.body)).toEqual(Array(20).fill(201));
      expect(buys.filter((r) => r.body.rewards.length === 1)).toHaveLength(5);
      expect(buys.filter((r) => r.body.fired.some((f: any) => f.skipped === 'limit:referral-usd'))).toHaveLength(15);
      expect(await written('referrer-bonus')).toHaveLength(5);
    }, 60_000);
    it('adds a number from earlier events in the database (eventSum)', async () => {
      const sums = (await ok(call('POST', '/v1/programs', { token: key, body: { name: 'Sums' } }), 201)).id;
      const spent = { fact: 'eventSum', params: { type: 'purchase', path: 'order.total', days: 30 }, operator: 'greaterThanInclusive', value: 100 };
      await ok(call('PUT', `/v1/programs/${sums}/rules`, { token: key, body: { rules: [{ name: 'spent-100', conditions: { all: [spent] }, event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD' } } }] } }), 200);
      const totals = [60, '500', 39.5, 0.5];
      for (const [i, total] of totals.entries()) await ok(call('POST', `/v1/programs/${sums}/events`, { token: key, body: { id: `sum-${i}`, type: 'purchase', participantId: 'alice', data: { order: { total } } } }), 201);
      // The string adds nothing; the last purchase did not see itself: 99.5 before it.
      const dry = await ok(call('POST', `/v1/programs/${sums}/evaluate`, { token: key, body: { type: 'check', participantId: 'alice' } }), 200);
      expect(dry.rules[0].conditions.children[0]).toMatchObject({ fact: 'eventSum', factValue: 100, result: 'pass' });
    });

    it('explains a dry run and writes nothing', async () => {
      const before = await ok(call('GET', '/v1/participants/alice/rewards', { token: key }), 200);
      const res = await ok(call('POST', `/v1/programs/${programId}/evaluate`, { token: key, body: { type: 'purchase', participantId: 'bob', data: { amount: 10 } } }), 200);
      expect(res.fired).toEqual([{ rule: 'thank-you', action: 'email' }]);
      const bonus = res.rules.find((r: any) => r.name === 'referrer-bonus');
      expect(bonus.fired).toBe(false);
      expect(bonus.conditions.children[1]).toMatchObject({ path: '$.data.amount', factValue: 10, result: 'fail' });
      const after = await ok(call('GET', '/v1/participants/alice/rewards', { token: key }), 200);
      expect(after.rewards).toEqual(before.rewards);
    });

    it('previews a template, and refuses one that reads a file or loops without end', async () => {
      const path = `/v1/programs/${programId}/templates/custom/preview`;
      const fine = await ok(call('POST', path, { token: key, body: { subject: 'Hi {{ participant.firstName }}', html: '<p>{{ reward.amountFormatted }}</p>', text: 'x' } }), 200);
      expect(fine).toEqual({ subject: 'Hi Ada', html: '<p>$25.00</p>', text: 'x' });
      for (const [field, source] of [['html', `{% include 'package.json' %}`], ['text', `{% render '/etc/hostname' %}`], ['html', '{% for i in (1..1000000000) %}x{% endfor %}']]) {
        const res = await call('POST', path, { token: key, body: { subject: 's', html: 'h', text: 't', [field]: source } });
        expect(res.status).toBe(422);
        expect(res.body.error.details.map((d: any) => d.pointer)).toEqual([`/${field}`]);
        expect(JSON.stringify(res.body)).not.toContain('advocate-rules');
      }
      expect(await ok(call('GET', '/health'), 200)).toMatchObject({ status: 'ok' });
    });

    it('accepts an event signed with the webhook secret and refuses a bad signature', async () => {
      const raw = JSON.stringify({ id: 'hook-1', type: 'signup', participantId: 'bob' });
      const t = Math.floor(Date.now() / 1000);
      const signature = `t=${t},v1=${createHmac('sha256', webhookSecret).update(`${t}.${raw}`).digest('hex')}`;
      const path = `/v1/webhooks/${tenantId}/programs/${programId}/events`;
      expect((await call('POST', path, { raw, headers: { 'x-advocate-signature': signature } })).status).toBe(201);
      const forged = await call('POST', path, { raw, headers: { 'x-advocate-signature': signature.replace(/.$/, (c) => (c === '0' ? '1' : '0')) } });
      expect(forged.status).toBe(401);
    });

    it.each(SECURITY_MODES)("connects a tenant's own SMTP server (security %s) and delivers through it", async (security) => {
      const smtp = tenantServers.get(security)!;
      const { tenant } = await setUpTenant(`Own ${security}`);
      const login = security === 'none' ? {} : SMTP_USER;
      const connected = await call('PUT', '/v1/settings/email/smtp', { token: tenant.apiKey, body: { host: '127.0.0.1', port: smtp.port, security, ...login, testFromAddress: 'hello@own.example.com' } });
      expect(connected.status, JSON.stringify(connected.body)).toBe(200);
      expect(connected.body.smtp).toMatchObject({ status: 'connected', security });
      await ok(call('PUT', '/v1/participants/dana', { token: tenant.apiKey, body: { email: `dana-${security}@example.com` } }), 201);
      const programs = await ok(call('GET', '/v1/programs', { token: tenant.apiKey }), 200);
      await ok(call('POST', `/v1/programs/${programs.programs[0].id}/events`, { token: tenant.apiKey, body: { id: 'signup-1', type: 'signup', participantId: 'dana' } }), 201);
      // The signup earns a credit (its reward email) and the thank-you email.
      const log = await settle(tenant.apiKey, (l) => l.length === 2 && l.every((e) => e.status !== 'queued' && e.status !== 'sending'));
      for (const email of log) {
        expect(email).toMatchObject({ status: 'sent', sender: 'smtp' });
        const received = smtp.messages.find((m) => m.raw.includes(`Message-ID: ${email.messageId}`));
        expect(received).toMatchObject({ to: [`dana-${security}@example.com`], from: 'hello@own.example.com', secure: security !== 'none', user: security === 'none' ? undefined : SMTP_USER.username });
      }
    });

    it('delivers a signed webhook over HTTPS for the reward an event wrote', async () => {
      const { tenant, programId: pid } = await setUpTenant('Hooked');
      const hook = await ok(call('POST', '/v1/webhook-endpoints', { token: tenant.apiKey, body: { url: receiver.url('/scenario'), events: ['reward.created'] } }), 201);
      await ok(call('PUT', '/v1/participants/hank', { token: tenant.apiKey, body: { email: 'hank@example.com' } }), 201);
      const event = await ok(call('POST', `/v1/programs/${pid}/events`, { token: tenant.apiKey, body: { id: 'hook-signup', type: 'signup', participantId: 'hank' } }), 201);
      const deadline = Date.now() + 20_000;
      while (receiver.received.length === 0) {
        if (Date.now() > deadline) throw new Error(`no webhook arrived: ${JSON.stringify((await call('GET', '/v1/webhook-deliveries', { token: tenant.apiKey })).body)}\n--- server output ---\n${server.output().slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const [got] = receiver.received;
      expect(new Webhook(hook.secret).verify(got.body, got.headers)).toMatchObject({ type: 'reward.created', data: { id: event.rewards[0].id, participantId: 'hank' } });
    });

    it("answers Connect with what to change when the server refuses the login", async () => {
      const { tenant } = await setUpTenant('Wrong password');
      const res = await call('PUT', '/v1/settings/email/smtp', { token: tenant.apiKey, body: { host: '127.0.0.1', port: tenantServers.get('tls')!.port, security: 'tls', username: SMTP_USER.username, password: 'not it' } });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'smtp_refused', reason: 'auth_failed', details: [{ pointer: '/password' }] });
    });

    it("delivers another tenant's mail while one tenant's own server holds every message it was given", async () => {
      const { tenant: stuck, programId: stuckProgram } = await setUpTenant('Stuck');
      const connected = await call('PUT', '/v1/settings/email/smtp', { token: stuck.apiKey, body: { host: '127.0.0.1', port: slow.port, security: 'none' } });
      expect(connected.status, JSON.stringify(connected.body)).toBe(200);
      await ok(call('PUT', '/v1/participants/sam', { token: stuck.apiKey, body: { email: 'sam@example.com' } }), 201);
      // Each signup queues two emails (the credit's and the thank-you).
      for (let i = 0; i < 4; i++) await ok(call('POST', `/v1/programs/${stuckProgram}/events`, { token: stuck.apiKey, body: { id: `stuck-${i}`, type: 'signup', participantId: 'sam' } }), 201);
      const deadline = Date.now() + 20_000;
      while (slow.held() === 0) {
        if (Date.now() > deadline) throw new Error(`the slow server never got a message\n--- server output ---\n${server.output().slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      await ok(call('PUT', '/v1/participants/olga', { token: key, body: { email: 'olga@example.com' } }), 201);
      await ok(call('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'olga-signup', type: 'signup', participantId: 'olga' } }), 201);
      const olga = (l: any[]) => l.filter((e) => e.to === 'olga@example.com');
      await settle(key, (l) => olga(l).length === 2 && olga(l).every((e) => e.status === 'sent'));
      // All of it went out while the slow server still held every one of the first tenant's messages.
      expect(slow.messages).toHaveLength(0);
      expect((await emails(stuck.apiKey)).filter((e) => e.status === 'sent')).toEqual([]);

      slow.release();
      const log = await settle(stuck.apiKey, (l) => l.length === 8 && l.every((e) => e.status === 'sent'), 60_000);
      for (const email of log) expect(slow.messages.filter((m) => m.raw.includes(`Message-ID: ${email.messageId}`))).toHaveLength(1);
    }, 120_000);

    it('carries a backtest to the end from the background loop (a timer; the Cron Trigger on Workers)', async () => {
      const now = Date.now();
      const window = { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 86_400_000).toISOString() };
      const started = await ok(call('POST', `/v1/programs/${programId}/backtests`, { token: key, body: { version: 1, ...window } }), 202);
      expect(started.progress.eventsTotal).toBeGreaterThan(2);
      expect(started.status).toBe('running');
      let backtest = started;
      for (const end = Date.now() + 20_000; backtest.status === 'running' && Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 200));
        backtest = await ok(call('GET', `/v1/programs/${programId}/backtests/${started.id}`, { token: key }), 200);
      }
      expect(backtest).toMatchObject({ status: 'done', progress: { eventsDone: started.progress.eventsTotal } });
      // The same rules replayed on the facts each event kept: nothing changes.
      expect(backtest.report.events).toMatchObject({ replayed: started.progress.eventsTotal, exact: started.progress.eventsTotal, changed: 0 });
    });

    // Last, with nothing else going on: no request wakes the dispatcher, so
    // only the background loop can deliver the retry.
    it('retries a greylisted email from the background loop (a timer; the Cron Trigger on Workers)', async () => {
      await ok(call('PUT', '/v1/participants/grey', { token: key, body: { email: 'greylisted@example.com' } }), 201);
      await ok(call('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'grey-signup', type: 'signup', participantId: 'grey' } }), 201);
      const grey = (l: any[]) => l.filter((e) => e.to === 'greylisted@example.com');
      // The relay refuses the address's first attempt only: one of its two emails (credit, thank-you)
      // is answered 451 and is sent on its second attempt, which only the background loop can make.
      const log = await settle(key, (l) => grey(l).length === 2 && grey(l).every((e) => e.status === 'sent'), 20_000);
      expect(grey(log).map((e) => e.attempts).sort()).toEqual([1, 2]);
      for (const email of grey(log)) expect(relay.messages.filter((m) => m.raw.includes(`Message-ID: ${email.messageId}`))).toHaveLength(1);
    });
  });
}
