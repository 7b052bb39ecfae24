import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { createWebhookDispatcher } from '../../plugins/webhooks/dispatcher.ts';
import { announce } from '../../runtime/services/webhook-outbox.ts';
import { inTransaction } from '../../runtime/store/store.ts';

// Retries and fairness move the clock by days, so these deliveries are not
// verified against the wall clock (webhook-delivery.test.ts does that).

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(DIALECTS)('webhook retries and fairness on %s', (dialect) => {
  let h: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await createHarness(dialect, { env: { ALLOW_PRIVATE_WEBHOOK_HOSTS: 'true' }, webhookCa: [receiver.cert.cert] });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const setup = async (name: string, path: string) => {
    const t = await h.tenant(name);
    const made = await h.request('POST', '/v1/webhook-endpoints', { token: t.apiKey, body: { url: receiver.url(path), events: ['event.processed'] } });
    expect(made.status).toBe(201);
    const programId = (await h.request('POST', '/v1/programs', { token: t.apiKey, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token: t.apiKey, body: { email: 'p1@example.com' } });
    let n = 0;
    const post = async () => {
      const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: t.apiKey, body: { id: `e${++n}`, type: 'visit', participantId: 'p1' } });
      expect(res.status).toBe(201);
    };
    const list = async () => (await h.request('GET', '/v1/webhook-deliveries', { token: t.apiKey })).body.deliveries;
    const endpoint = async () => (await h.request('GET', `/v1/webhook-endpoints/${made.body.id}`, { token: t.apiKey })).body;
    return { tenant: t, endpointId: made.body.id as string, post, list, endpoint };
  };

  it('retries with growing, jittered delays for about three days, then fails; an endpoint failing for days is disabled', async () => {
    receiver.answer('/down', { status: 503, body: 'maintenance' });
    const t = await setup('Down', '/down');
    await t.post();
    const firstFailure = h.clock.now().getTime();
    await h.services.webhooks.drain();
    const gaps: number[] = [];
    let [d] = await t.list();
    expect(d).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: 503, lastResponse: 'maintenance' });
    const giveUpAt = d.giveUpAt;
    expect(Date.parse(giveUpAt) - h.clock.now().getTime()).toBe(72 * HOUR);
    while (d.status === 'queued') {
      const wait = Date.parse(d.nextAttemptAt) - h.clock.now().getTime();
      gaps.push(wait);
      // Not due a moment early.
      h.clock.advance(wait - 1);
      expect(await h.services.webhooks.drain()).toBe(0);
      h.clock.advance(1);
      expect(await h.services.webhooks.drain()).toBe(1);
      [d] = await t.list();
    }
    expect(d.status).toBe('failed');
    expect(d.nextAttemptAt).toBeNull();
    expect(h.clock.now().toISOString() <= giveUpAt).toBe(true);
    // Each delay is half to all of a doubling ceiling (1 minute, 2, 4, … up to 6 hours).
    gaps.forEach((gap, i) => {
      const ceiling = Math.min(6 * HOUR, 60_000 * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(ceiling / 2);
      expect(gap).toBeLessThanOrEqual(ceiling);
    });
    expect(gaps.length).toBeGreaterThan(10);
    expect(receiver.received.filter((r) => r.path === '/down')).toHaveLength(d.attempts);
    expect(new Set(receiver.received.filter((r) => r.path === '/down').map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(await t.endpoint()).toMatchObject({ status: 'enabled', failingSince: expect.any(String) });

    // Still failing five days after the first failure: the endpoint is disabled. Its queued
    // deliveries wait (nothing is sent), and it is announced nothing new while disabled.
    h.clock.set(new Date(firstFailure + 5 * DAY + 60_000));
    await t.post();
    await h.services.webhooks.drain();
    expect(await t.endpoint()).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
    const waiting = (await t.list())[0];
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1 });
    h.clock.advance(DAY);
    await t.post();
    const before = receiver.received.length;
    await h.services.webhooks.drain();
    expect(receiver.received.length).toBe(before);
    expect(await t.list()).toHaveLength(2);

    // Fixed and enabled again: what waited goes out, and the failure run is forgotten.
    receiver.answer('/down', { status: 204 });
    const enabled = await h.request('POST', `/v1/webhook-endpoints/${t.endpointId}/enable`, { token: t.tenant.apiKey });
    expect(enabled.body).toMatchObject({ status: 'enabled', failingSince: null });
    await h.services.webhooks.idle();
    await h.services.webhooks.drain();
    expect((await t.list())[0]).toMatchObject({ id: waiting.id, status: 'delivered', lastStatusCode: 204, attempts: 2 });
  });

  it('shares each batch among tenants: a backlog of one does not hold back another', async () => {
    const busy = await setup('Busy', '/busy');
    const quiet = await setup('Quiet', '/quiet');
    // Thirty facts of the busy tenant queued at once, then one of the quiet tenant.
    const endpointBusy = busy.endpointId;
    await inTransaction(h.store, (db) =>
      announce(
        db,
        busy.tenant.id,
        Array.from({ length: 30 }, (_, i) => ({ type: 'event.processed' as const, key: `bulk-${i}`, resource: 'event', data: { i }, version: '1' })),
        h.clock.now(),
      ),
    );
    h.clock.advance(1000);
    await inTransaction(h.store, (db) => announce(db, quiet.tenant.id, [{ type: 'event.processed', key: 'one', resource: 'event', data: {}, version: '1' }], h.clock.now()));
    const dispatcher = createWebhookDispatcher({ ...h.services, http: h.services.webhookHttp, allowPrivate: true, batchSize: 4, perTenant: 2 });
    expect(await dispatcher.runOnce()).toBe(3);
    expect(receiver.received.filter((r) => r.path === '/quiet')).toHaveLength(1);
    expect(receiver.received.filter((r) => r.path === '/busy')).toHaveLength(2);
    await dispatcher.drain();
    expect((await busy.list()).filter((d: { endpointId: string; status: string }) => d.endpointId === endpointBusy && d.status === 'delivered')).toHaveLength(30);
  });
});
