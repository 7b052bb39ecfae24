import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// The console page over app.request: an endpoint the dispatcher disabled for
// failing is named with what to do, and enabling it from there sends what waited.

describe('webhooks in the console', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let apiKey: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await createHarness('sqlite', { env: { ALLOW_PRIVATE_WEBHOOK_HOSTS: 'true' }, webhookCa: [receiver.cert.cert] });
    apiKey = (await h.tenant('Acme')).apiKey;
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  async function session() {
    const page = await h.app.request('http://localhost/admin/sign-in');
    const pre = cookieOf(page, 'ar_admin_pre')!.split(';')[0];
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const res = await h.app.request('http://localhost/admin/sign-in', {
      method: 'POST',
      headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, apiKey, next: '/admin/settings/webhooks' }),
    });
    const cookie = cookieOf(res, 'ar_admin')!.split(';')[0];
    const html = await (await h.app.request('http://localhost/admin/settings/webhooks', { headers: { cookie } })).text();
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '', html };
  }

  it('says an endpoint was disabled for failing, and enables it again', async () => {
    receiver.answer('/down', { status: 500 });
    const made = await h.request('POST', '/v1/webhook-endpoints', { token: apiKey, body: { url: receiver.url('/down'), events: ['event.processed'] } });
    const programId = (await h.request('POST', '/v1/programs', { token: apiKey, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token: apiKey, body: { email: 'p1@example.com' } });
    const post = (id: string) => h.request('POST', `/v1/programs/${programId}/events`, { token: apiKey, body: { id, type: 'visit', participantId: 'p1' } });

    let s = await session();
    expect(s.html).toContain(receiver.url('/down'));
    expect(s.html).toContain('enabled');

    await post('e1');
    await h.services.webhooks.idle();
    await h.services.webhooks.drain();
    h.clock.advance(5 * 86_400_000 + 60_000);
    await post('e2');
    await h.services.webhooks.idle();
    await h.services.webhooks.drain();

    s = await session();
    expect(s.html).toContain('disabled: failing');
    expect(s.html).toMatch(/was disabled on .*: its deliveries failed without a success since/);

    receiver.answer('/down', { status: 200 });
    const res = await h.app.request(`http://localhost/admin/settings/webhooks/${made.body.id}/enable`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ _csrf: s.csrf }),
    });
    expect(res.status).toBe(303);
    expect((await h.request('GET', `/v1/webhook-endpoints/${made.body.id}`, { token: apiKey })).body.status).toBe('enabled');
    await h.services.webhooks.idle();
    await h.services.webhooks.drain();
    const statuses = (await h.request('GET', '/v1/webhook-deliveries', { token: apiKey })).body.deliveries.map((d: { status: string }) => d.status);
    expect(statuses).toContain('delivered');
    expect((await session()).html).not.toContain('disabled: failing');
  });
});
