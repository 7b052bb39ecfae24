import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { referralRules } from '../api/fixtures.ts';
import { createWebhookDispatcher } from '../../plugins/webhooks/dispatcher.ts';
import { createNodeWebhookClient } from '../../runtime/node/node-webhook-client.ts';
import { createNodeResolver } from '../../runtime/dns/node-resolver.ts';
import { checkWebhookDestination } from '../../plugins/webhooks/destination.ts';
import { createTestCert } from '../support/certs.ts';
import { requeueDelivery } from '../../runtime/store/webhook-delivery-queries.ts';
import { runDueJobs } from '../../runtime/scheduler.ts';
import { startDnsServer } from '../support/dns-server.ts';

// Deliveries end to end: the real app writes the outbox with the event, the
// dispatcher signs and POSTs to a real HTTPS receiver on loopback (trusted
// through the test certificate), and the standardwebhooks package verifies
// what arrived. The operator flag lets loopback through, as in a test setup.

const DAY = 86_400_000;

describe.each(DIALECTS)('webhook deliveries on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;
  let receiver: WebhookReceiver;
  let eventNo = 0;

  const endpoint = async (path: string, events: string[]) => {
    const res = await h.request('POST', '/v1/webhook-endpoints', { token: key, body: { url: receiver.url(path), events } });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const purchase = async () => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `evt-${++eventNo}`, type: 'purchase', participantId: 'bob', data: { amount: 80 } } });
    expect(res.status).toBe(201);
    return res.body;
  };
  const deliveries = async (endpointId: string) => (await h.request('GET', `/v1/webhook-deliveries?endpointId=${endpointId}`, { token: key })).body.deliveries;
  const at = (path: string) => receiver.received.filter((r) => r.path === path);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // The real time: standardwebhooks checks the timestamp against the wall clock.
    h = await createHarness(dialect, { env: { ALLOW_PRIVATE_WEBHOOK_HOSTS: 'true' }, webhookCa: [receiver.cert.cert], start: new Date().toISOString() });
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: referralRules });
    await h.request('PUT', '/v1/participants/alice', { token: key, body: { email: 'alice@example.com', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/bob', { token: key, body: { email: 'bob@example.com', referredBy: 'alice' } });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });
  beforeEach(async () => {
    // Each test starts with no endpoints, so earlier ones receive nothing more.
    for (const e of (await h.request('GET', '/v1/webhook-endpoints', { token: key })).body.endpoints) await h.request('DELETE', `/v1/webhook-endpoints/${e.id}`, { token: key });
  });

  it('announces a reward with the event that wrote it, signed per Standard Webhooks', async () => {
    const hook = await endpoint('/signed', ['reward.created', 'event.processed']);
    const event = await purchase();
    await h.services.webhooks.drain();

    const got = at('/signed');
    expect(got).toHaveLength(2);
    const verifier = new Webhook(hook.secret);
    const payloads = got.map((r) => verifier.verify(r.body, r.headers) as any);
    const reward = payloads.find((p) => p.type === 'reward.created');
    expect(reward).toMatchObject({ resource: 'reward', version: expect.any(String), timestamp: expect.any(String), data: { id: event.rewards[0].id, participantId: 'alice', amountMinor: 2500, currency: 'USD', status: 'available' } });
    expect(reward.id).toBe(got.find((r) => r.body === JSON.stringify(reward))!.headers['webhook-id']);
    const processed = payloads.find((p) => p.type === 'event.processed');
    expect(processed.data).toMatchObject({ id: event.event.id, rewardIds: [event.rewards[0].id], fired: event.fired });
    expect(got[0].headers['content-type']).toBe('application/json');

    // A body changed in flight, or signed with another secret, does not verify.
    expect(() => verifier.verify(got[0].body + ' ', got[0].headers)).toThrow();
    const listed = await deliveries(hook.id);
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastResponse: 'ok', lastError: null });
  });

  it('announces exactly once per endpoint: a replayed event adds nothing, each endpoint gets its own delivery', async () => {
    const a = await endpoint('/once-a', ['reward.created']);
    const b = await endpoint('/once-b', ['reward.created']);
    const none = await endpoint('/once-none', ['email.failed']);
    const body = { id: 'evt-once', type: 'purchase', participantId: 'bob', data: { amount: 90 } };
    expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body })).status).toBe(201);
    expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body })).status).toBe(200);
    await h.services.webhooks.drain();
    expect(await deliveries(a.id)).toHaveLength(1);
    expect(await deliveries(b.id)).toHaveLength(1);
    expect(await deliveries(none.id)).toHaveLength(0);
    expect(at('/once-a')).toHaveLength(1);
    expect(at('/once-a')[0].headers['webhook-id']).toBe(at('/once-b')[0].headers['webhook-id']);
    expect(at('/once-none')).toHaveLength(0);
  });

  it('announces a status change when a reward is cancelled', async () => {
    const hook = await endpoint('/status', ['reward.status_changed']);
    const event = await purchase();
    expect((await h.request('POST', `/v1/rewards/${event.rewards[0].id}/cancel`, { token: key })).status).toBe(200);
    expect((await h.request('POST', `/v1/rewards/${event.rewards[0].id}/cancel`, { token: key })).status).toBe(200);
    await h.services.webhooks.drain();
    const got = at('/status');
    expect(got).toHaveLength(1);
    expect(new Webhook(hook.secret).verify(got[0].body, got[0].headers)).toMatchObject({ type: 'reward.status_changed', data: { id: event.rewards[0].id, status: 'cancelled', previousStatus: 'available' } });
  });

  it('announces a held reward released when the payout details are completed', async () => {
    const hook = await endpoint('/released', ['reward.status_changed']);
    await h.request('PUT', '/v1/participants/rick', { token: key, body: { email: 'rick@example.com' } });
    await h.request('PUT', '/v1/participants/ria', { token: key, body: { email: 'ria@example.com', referredBy: 'rick' } });
    const event = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'evt-held', type: 'purchase', participantId: 'ria', data: { amount: 80 } } });
    expect(event.body.rewards[0]).toMatchObject({ participantId: 'rick', status: 'pending', pendingReasons: ['payout_info'] });
    await h.request('PUT', '/v1/participants/rick', { token: key, body: { email: 'rick@example.com', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/rick', { token: key, body: { email: 'rick@example.com', payoutInfoComplete: true } });
    await h.services.webhooks.drain();
    const got = at('/released');
    expect(got).toHaveLength(1);
    expect(new Webhook(hook.secret).verify(got[0].body, got[0].headers)).toMatchObject({
      type: 'reward.status_changed',
      data: { id: event.body.rewards[0].id, status: 'available', previousStatus: 'pending' },
    });
  });

  it('signs with both secrets during a rotation, and only the new one after it', async () => {
    const hook = await endpoint('/rotate', ['event.processed']);
    const rotated = (await h.request('POST', `/v1/webhook-endpoints/${hook.id}/rotate-secret`, { token: key, body: { graceSeconds: 3600 } })).body;
    await purchase();
    await h.services.webhooks.drain();
    const during = at('/rotate')[0];
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(hook.secret).verify(during.body, during.headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(during.body, during.headers)).not.toThrow();

    const ended = (await h.request('POST', `/v1/webhook-endpoints/${hook.id}/rotate-secret`, { token: key, body: { graceSeconds: 0 } })).body;
    await purchase();
    await h.services.webhooks.drain();
    const after = at('/rotate')[1];
    expect(after.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new Webhook(ended.secret).verify(after.body, after.headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(after.body, after.headers)).toThrow();
  });

  it('announces sent and failed emails once, from the scheduled relay', async () => {
    // Emails earlier tests finished are older than this endpoint: it is not told about them.
    h.clock.advance(1000);
    const hook = await endpoint('/mail', ['email.sent', 'email.failed']);
    const event = await purchase();
    expect(event.emails).toHaveLength(2);
    const [sentId, failedId] = event.emails.map((e: { id: string }) => e.id);
    // The mail dispatcher gives up on one (as it does after a permanent SMTP refusal) and sends the other.
    await h.services.dispatcher.idle();
    await h.store.db.updateTable('emails').set({ status: 'queued', next_attempt_at: '9999-01-01T00:00:00.000Z' }).where('id', '=', failedId).execute();
    await h.services.dispatcher.drain();
    await h.store.db.updateTable('emails').set({ status: 'failed', last_response: '550 no such user', updated_at: h.clock.now().toISOString() }).where('id', '=', failedId).execute();

    await runDueJobs(h.services);
    await runDueJobs(h.services);
    await h.services.webhooks.idle();
    await h.services.webhooks.drain();
    const verifier = new Webhook(hook.secret);
    const got = at('/mail').map((r) => verifier.verify(r.body, r.headers) as any);
    expect(got.map((p) => [p.type, p.data.id]).sort()).toEqual(
      [
        ['email.failed', failedId],
        ['email.sent', sentId],
      ].sort(),
    );
    expect(got.find((p) => p.type === 'email.failed')).toMatchObject({ resource: 'email', data: { status: 'failed', lastResponse: '550 no such user' } });
    expect(got.find((p) => p.type === 'email.sent').data).toMatchObject({ status: 'sent', sentAt: expect.any(String) });
  });

  it('redelivers with the same webhook-id', async () => {
    const hook = await endpoint('/again', ['event.processed']);
    await purchase();
    await h.services.webhooks.drain();
    const [delivery] = await deliveries(hook.id);
    const queued = await h.request('POST', `/v1/webhook-deliveries/${delivery.id}/redeliver`, { token: key });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ status: 'queued', attempts: 0 });
    await h.services.webhooks.drain();
    const got = at('/again');
    expect(got).toHaveLength(2);
    expect(got[1].headers['webhook-id']).toBe(got[0].headers['webhook-id']);
    expect(got[1].body).toBe(got[0].body);
    const other = await h.tenant('Other');
    expect((await h.request('POST', `/v1/webhook-deliveries/${delivery.id}/redeliver`, { token: other.apiKey })).status).toBe(404);
    expect((await h.request('GET', `/v1/webhook-deliveries/${delivery.id}`, { token: other.apiKey })).status).toBe(404);
  });

  it('pages deliveries written in the same millisecond without skipping one', async () => {
    // One event, three endpoints: three rows with one created_at; a page of two must not lose the third.
    const ids = [];
    for (const path of ['/p1', '/p2', '/p3']) ids.push((await endpoint(path, ['event.processed'])).id);
    const before = (await h.request('GET', '/v1/webhook-deliveries?limit=200', { token: key })).body.deliveries.length;
    await purchase();
    const seen: string[] = [];
    let next: string | null = '';
    for (let page = 0; page < 10 && next !== null; page++) {
      const res: { status: number; body: { deliveries: { id: string }[]; next: string | null } } = await h.request('GET', `/v1/webhook-deliveries?limit=2${next ? `&before=${encodeURIComponent(next)}` : ''}`, { token: key });
      expect(res.status).toBe(200);
      seen.push(...res.body.deliveries.map((d) => d.id));
      next = res.body.next;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(before + 3);
    const bad = await h.request('GET', '/v1/webhook-deliveries?before=not-a-cursor', { token: key });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].pointer).toBe('/before');
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const hook = await endpoint('/moved', ['event.processed']);
    receiver.answer('/moved', { status: 302, headers: { location: receiver.url('/moved-here') } });
    await purchase();
    await h.services.webhooks.drain();
    expect(at('/moved')).toHaveLength(1);
    expect(at('/moved-here')).toHaveLength(0);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: 302, lastError: 'the receiver answered 302' });
    expect(d.nextAttemptAt > h.clock.now().toISOString()).toBe(true);
  });

  it('keeps a bounded excerpt of the answer', async () => {
    const hook = await endpoint('/chatty', ['event.processed']);
    receiver.answer('/chatty', { status: 500, body: 'x'.repeat(200_000) });
    await purchase();
    await h.services.webhooks.drain();
    const [d] = await deliveries(hook.id);
    expect(d.lastStatusCode).toBe(500);
    expect(d.lastResponse).toBe('x'.repeat(1024));
  });

  it('stores a hostile answer as text the database holds (NUL bytes, broken UTF-8)', async () => {
    const hook = await endpoint('/nul', ['event.processed']);
    receiver.answer('/nul', { status: 400, body: 'bad\u0000input\uffff' + '\u00e9'.repeat(600) });
    await purchase();
    await h.services.webhooks.drain();
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: 400 });
    expect(d.lastResponse.startsWith('bad\ufffdinput')).toBe(true);
    expect(d.lastResponse).not.toContain('\u0000');
  });

  it('stops waiting for a receiver that never answers', async () => {
    receiver.answer('/silent', 'hang');
    const client = createNodeWebhookClient({ ca: [receiver.cert.cert] });
    const request = { url: new URL(receiver.url('/silent')), address: '127.0.0.1', headers: {}, body: '{}', timeoutMs: 300, maxResponseBytes: 1024 };
    await expect(client.post(request)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('checks the destination again at delivery: without the operator flag, loopback is refused and nothing is sent', async () => {
    const hook = await endpoint('/guarded', ['event.processed']);
    await purchase();
    await h.services.webhooks.drain();
    expect(at('/guarded')).toHaveLength(1);
    // Queued again without waking the app's dispatcher; a dispatcher of an operator who did not allow private hosts takes it.
    const [first] = await deliveries(hook.id);
    const { tenant_id } = await h.store.db.selectFrom('webhook_deliveries').select('tenant_id').where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(await requeueDelivery(h.store.db, tenant_id, first.id, h.clock.now().toISOString(), '9999-01-01T00:00:00.000Z')).toBe(true);
    // On the standard port, so the address rule (not the port rule) is what refuses it.
    await h.store.db.updateTable('webhook_endpoints').set({ url: 'https://127.0.0.1/guarded' }).where('id', '=', hook.id).execute();
    const strict = createWebhookDispatcher({ ...h.services, http: createNodeWebhookClient({ ca: [receiver.cert.cert] }), allowPrivate: false });
    await strict.drain();
    expect(at('/guarded')).toHaveLength(1);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: null, deliveredAt: expect.any(String) });
    expect(d.lastError).toBe('the URL points at a private, internal or reserved address');
  });

  it('delivers to a name through the address it vetted, with the certificate checked against the name', async () => {
    const named = await startWebhookReceiver({ cert: createTestCert('hooks.example.test'), host: 'hooks.example.test' });
    const dns = await startDnsServer({ 'hooks.example.test': { A: ['127.0.0.1'] }, 'mixed.example.test': { A: ['127.0.0.1', '10.9.9.9', '169.254.169.254'] } });
    try {
      const client = createNodeWebhookClient({ ca: [named.cert.cert] });
      const resolver = createNodeResolver({ server: dns.server });
      // The system resolver knows neither name: the connection can only have gone to the vetted address.
      const url = new URL(named.url('/named'));
      const { address } = await checkWebhookDestination(url, { resolver, allowPrivate: true });
      expect(address).toBe('127.0.0.1');
      const res = await client.post({ url, address, headers: { 'content-type': 'application/json' }, body: '{"x":1}', timeoutMs: 5000, maxResponseBytes: 64 });
      expect(res).toEqual({ status: 200, excerpt: 'ok' });
      expect(named.received[0]).toMatchObject({ path: '/named', body: '{"x":1}' });
      expect(named.received[0].headers.host).toBe(`hooks.example.test:${named.port}`);
      // The default receiver's certificate names localhost, not this host: TLS refuses it.
      await expect(createNodeWebhookClient({ ca: [receiver.cert.cert] }).post({ url: new URL(`https://hooks.example.test:${receiver.port}/x`), address: '127.0.0.1', headers: {}, body: '', timeoutMs: 5000, maxResponseBytes: 64 })).rejects.toThrow(/altnames|certificate/i);
      // One internal record among the answers is enough to refuse, even with private hosts allowed (metadata never is).
      await expect(checkWebhookDestination(new URL('https://mixed.example.test/'), { resolver, allowPrivate: true })).rejects.toThrow('private, internal or reserved');
      await expect(checkWebhookDestination(url, { resolver, allowPrivate: false })).rejects.toThrow('private, internal or reserved');
    } finally {
      await dns.close();
      await named.close();
    }
  });
});
