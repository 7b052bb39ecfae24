import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { referralRules } from '../api/fixtures.ts';
import { type HttpServer, signInAt, pressKey, chooseOption, openConsole, photographBothWidths } from './browser.ts';

// The Webhooks, Webhook deliveries and Keys pages in Chromium, from the
// keyboard alone, against a real HTTPS receiver on loopback (trusted through
// the test certificate): an endpoint added here, its secret shown once and
// then verifying what really arrived; the deliveries view with its filters
// and pages; a redelivery that really goes out again; a rotated secret (both
// signatures during the grace), an edit and a delete; another tenant's
// delivery refused; an API key rotated without signing the console out.


describe('console webhooks and API keys in Chromium', () => {
  let h: Harness;
  let http: HttpServer;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  let apiKey: string;
  let programId: string;
  let otherKey: string;
  let otherDelivery: string;
  let secret = '';
  let endpointId = '';
  const pageErrors: string[] = [];
  let seq = 0;

  const api = async (method: string, path: string, body?: unknown, token = apiKey) => (await h.request(method, path, { token, body })).body;
  const visit = async (program = programId, token = apiKey) => {
    const res = await h.request('POST', `/v1/programs/${program}/events`, { token, body: { id: `visit-${++seq}`, type: 'visit', participantId: 'alice' } });
    expect(res.status).toBe(201);
  };
  const deliverAll = async () => {
    await h.services.webhooks.idle();
    await h.services.webhooks.drain();
  };
  const at = (path: string) => receiver.received.filter((r) => r.path === path);

  const press = (target: Locator) => pressKey(page, target);
  async function type(target: Locator, text: string) {
    await target.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
  }
  async function toggle(target: Locator) {
    await target.focus();
    await page.keyboard.press('Space');
  }
  const choose = (select: Locator, label: string) => chooseOption(page, select, label);
  async function bothWidths(name: string) {
    await photographBothWidths(page, name);
  }
  const flash = () => page.getByRole('status').first().textContent();
  const rows = () => page.getByRole('region', { name: /^Deliveries/ }).locator('tbody tr');

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    receiver.answer('/acme', { status: 200, body: '{"received":true}', headers: { 'content-type': 'application/json' } });
    // What a receiver answers is someone else's content: shown as text, never as markup.
    receiver.answer('/down', { status: 503, body: '<img src=x onerror=alert(1)>down for maintenance', headers: { 'content-type': 'text/html' } });
    // The real time: standardwebhooks checks the timestamp against the wall clock.
    h = await createHarness('sqlite', { env: { ALLOW_PRIVATE_WEBHOOK_HOSTS: 'true' }, webhookCa: [receiver.cert.cert], start: new Date().toISOString() });
    apiKey = (await h.tenant('Acme')).apiKey;
    programId = (await api('POST', '/v1/programs', { name: 'Friends' })).id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: apiKey, body: referralRules })).status).toBe(200);
    await api('PUT', '/v1/participants/alice', { email: 'alice@example.com' });

    // Another tenant with a delivery of its own, which Acme's console must not reach.
    otherKey = (await h.tenant('Other')).apiKey;
    const otherProgram = (await api('POST', '/v1/programs', { name: 'Theirs' }, otherKey)).id;
    await api('PUT', '/v1/participants/alice', { email: 'alice@other.example' }, otherKey);
    expect((await h.request('POST', '/v1/webhook-endpoints', { token: otherKey, body: { url: receiver.url('/other'), events: ['event.processed'] } })).status).toBe(201);
    await visit(otherProgram, otherKey);
    await deliverAll();
    otherDelivery = (await api('GET', '/v1/webhook-deliveries', undefined, otherKey)).deliveries[0].id;
    expect(at('/other')).toHaveLength(1);

    ({ http, browser, page } = await openConsole(h, pageErrors));
    await signInAt(page, `${http.url}/admin/settings/webhooks`, apiKey, 'Webhooks');
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
    await receiver?.close();
  });

  it('adds an endpoint, says what is wrong at the field, and shows the signing secret once', async () => {
    const add = page.getByRole('region', { name: 'Add an endpoint' });
    // No event chosen: said at the events, with what was typed kept.
    await type(add.getByLabel('URL'), receiver.url('/acme'));
    await press(add.getByRole('button', { name: 'Add the endpoint' }));
    expect(await page.getByRole('group', { name: 'Events to send' }).textContent()).toContain('Choose at least one event type.');
    expect(await page.getByLabel('URL').inputValue()).toBe(receiver.url('/acme'));

    await toggle(page.getByRole('checkbox', { name: 'event.processed' }));
    await toggle(page.getByRole('checkbox', { name: 'reward.created' }));
    await type(page.getByLabel(/Description/), 'Our CRM');
    await press(page.getByRole('button', { name: 'Add the endpoint' }));
    await page.getByRole('heading', { name: 'Endpoint added' }).waitFor();
    secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(await page.getByRole('region', { name: 'Endpoint added' }).textContent()).toContain('Shown once.');
    // The field is read-only, reachable from the keyboard, and selects for copying.
    await page.getByRole('textbox', { name: 'Signing secret' }).focus();
    await page.keyboard.press('Control+A');
    expect(await page.evaluate(() => { const el = document.activeElement as HTMLInputElement; return el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0); })).toBe(secret);
    await bothWidths('webhooks-created');

    const endpoints = (await api('GET', '/v1/webhook-endpoints')).endpoints;
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({ url: receiver.url('/acme'), events: ['reward.created', 'event.processed'], description: 'Our CRM' });
    endpointId = endpoints[0].id;
    // Shown once: the list page never has it.
    await page.goto(`${http.url}/admin/settings/webhooks`);
    expect(await page.content()).not.toContain(secret);

    // A second endpoint whose receiver is down, for the deliveries view.
    await type(page.getByLabel('URL'), receiver.url('/down'));
    await toggle(page.getByRole('checkbox', { name: 'event.processed' }));
    await press(page.getByRole('button', { name: 'Add the endpoint' }));
    await page.getByRole('heading', { name: 'Endpoint added' }).waitFor();
    await page.goto(`${http.url}/admin/settings/webhooks`);
    await bothWidths('webhooks');
  });

  it('lists what was really delivered, by endpoint and status, a page at a time', async () => {
    for (let i = 0; i < 27; i++) await visit();
    await deliverAll();
    expect(at('/acme')).toHaveLength(27);
    // The secret the page showed verifies what arrived.
    const verified = new Webhook(secret).verify(at('/acme')[0]!.body, at('/acme')[0]!.headers) as { type: string };
    expect(verified.type).toBe('event.processed');

    await press(page.getByRole('link', { name: `Deliveries to ${receiver.url('/acme')}` }));
    await page.getByRole('heading', { name: 'Webhook deliveries', level: 1 }).waitFor();
    expect(await rows().count()).toBe(25);
    const first = (await rows().first().textContent())!;
    for (const text of ['event.processed', 'delivered', 'HTTP 200', '{"received":true}']) expect(first).toContain(text);
    expect(await rows().first().locator('td[data-label="Attempts"]').textContent()).toBe('1');
    await press(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next page' }));
    expect(await rows().count()).toBe(2);
    await press(page.getByRole('link', { name: 'First page' }));

    // All endpoints, only what waits for a retry: the receiver that is down, its answer and the next try.
    await choose(page.getByLabel('Endpoint', { exact: true }), 'All endpoints');
    await choose(page.getByLabel('Status'), 'queued');
    await press(page.getByRole('button', { name: 'Show deliveries' }));
    expect(await rows().count()).toBe(25);
    const waiting = (await rows().first().textContent())!;
    for (const text of ['retrying', 'HTTP 503', '<img src=x onerror=alert(1)>down for maintenance', receiver.url('/down')]) expect(waiting).toContain(text);
    expect(await rows().first().locator('img').count()).toBe(0);
    expect(await rows().first().locator('td[data-label="Next attempt"]').textContent()).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(await rows().first().getByRole('button', { name: /Redeliver/ }).count()).toBe(0);
    await bothWidths('webhook-deliveries-retrying');
    // A cursor that is not one: said above the list, not a failure page.
    await page.goto(`${http.url}/admin/settings/webhook-deliveries?before=not-a-cursor`);
    expect(await page.getByRole('alert').textContent()).toContain('the page link is out of date');
  });

  it('redelivers one after a confirmation, and it really goes out again', async () => {
    await choose(page.getByLabel('Endpoint', { exact: true }), receiver.url('/acme'));
    await choose(page.getByLabel('Status'), 'Any status');
    await press(page.getByRole('button', { name: 'Show deliveries' }));
    const id = await rows().first().getAttribute('data-delivery');
    const messageId = (await api('GET', `/v1/webhook-deliveries/${id}`)).messageId;
    const before = at('/acme').filter((r) => r.headers['webhook-id'] === messageId).length;
    expect(before).toBe(1);
    await press(rows().first().getByRole('button', { name: /^Redeliver the event\.processed/ }));
    await page.getByRole('heading', { name: /^Redeliver the event\.processed of .*\?$/ }).waitFor();
    await bothWidths('webhook-redeliver-confirm');
    await press(page.getByRole('button', { name: 'Yes, redeliver it' }));
    expect(await flash()).toMatch(/is queued to be sent again/);
    await deliverAll();
    await page.reload();
    expect(await rows().first().textContent()).toContain('delivered');
    await bothWidths('webhook-deliveries');
    const again = at('/acme').filter((r) => r.headers['webhook-id'] === messageId);
    expect(again).toHaveLength(2);
    expect(() => new Webhook(secret).verify(again[1]!.body, again[1]!.headers)).not.toThrow();
    const d = await api('GET', `/v1/webhook-deliveries/${id}`);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
  });

  it("refuses another tenant's delivery: 404, and nothing is sent", async () => {
    // Posted as the signed-in browser would (its cookies, its form token), outside the page's own CSP.
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    for (const step of ['confirm', 'redeliver']) {
      const res = await page.request.post(`${http.url}/admin/settings/webhook-deliveries/${otherDelivery}/${step}`, { form: { _csrf: csrf }, maxRedirects: 0 });
      expect(res.status()).toBe(404);
      expect(await res.text()).toContain('webhook delivery not found');
    }
    await deliverAll();
    expect(at('/other')).toHaveLength(1);
    expect((await api('GET', `/v1/webhook-deliveries/${otherDelivery}`, undefined, otherKey)).status).toBe('delivered');
  });

  it('edits the events, rotates the secret (both sign during the grace) and deletes an endpoint', async () => {
    await page.goto(`${http.url}/admin/settings/webhooks`);
    await press(page.getByRole('link', { name: `Edit ${receiver.url('/acme')}` }));
    await toggle(page.getByRole('checkbox', { name: 'reward.created' }));
    await type(page.getByLabel(/Description/), 'Our CRM, events only');
    await press(page.getByRole('button', { name: 'Save the endpoint' }));
    expect(await flash()).toContain('is saved');
    expect(await api('GET', `/v1/webhook-endpoints/${endpointId}`)).toMatchObject({ events: ['event.processed'], description: 'Our CRM, events only' });

    await press(page.getByRole('button', { name: `Rotate the secret of ${receiver.url('/acme')}…` }));
    await page.getByRole('heading', { name: `Rotate the signing secret of ${receiver.url('/acme')}?` }).waitFor();
    await choose(page.getByLabel('The old secret stays valid for'), 'One hour');
    await press(page.getByRole('button', { name: 'Yes, rotate the secret' }));
    await page.getByRole('heading', { name: 'New signing secret' }).waitFor();
    const rotated = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    expect(await page.getByRole('region', { name: 'New signing secret' }).textContent()).toMatch(/The previous secret stays valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    await bothWidths('webhooks-rotated');
    const n = at('/acme').length;
    await visit();
    await deliverAll();
    const last = at('/acme')[n]!;
    expect(last.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const s of [rotated, secret]) expect(() => new Webhook(s).verify(last.body, last.headers)).not.toThrow();

    await page.goto(`${http.url}/admin/settings/webhooks`);
    await press(page.getByRole('button', { name: `Delete ${receiver.url('/down')}…` }));
    await page.getByRole('heading', { name: `Delete the endpoint ${receiver.url('/down')}?` }).waitFor();
    await press(page.getByRole('button', { name: 'Yes, delete the endpoint' }));
    expect(await flash()).toContain('is deleted');
    expect((await api('GET', '/v1/webhook-endpoints')).endpoints.map((e: { url: string }) => e.url)).toEqual([receiver.url('/acme')]);
  });

  it('rotates the API key the console is signed in with, and revoking the old one keeps it signed in', async () => {
    await page.goto(`${http.url}/admin/settings/credentials`);
    const keys = page.getByRole('region', { name: 'API keys' });
    expect(await keys.textContent()).toContain('the console is signed in with this one');
    await press(keys.getByRole('button', { name: /^Rotate the API key starting / }));
    await page.getByRole('heading', { name: /^Rotate the API key starting .*\?$/ }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('it switches to the new key');
    await press(page.getByRole('button', { name: 'Yes, create the new API key' }));
    const fresh = (await page.locator('#new-credential').textContent())!;
    expect(fresh).toMatch(/^ar_/);
    expect((await h.request('GET', '/v1/programs', { token: fresh })).status).toBe(200);
    // The console now signs in with the new key: its row carries the mark.
    expect(await page.getByRole('region', { name: 'API keys' }).getByRole('row').filter({ hasText: fresh.slice(0, 7) }).textContent()).toContain('the console is signed in with this one');
    await bothWidths('credentials-rotated');
    await press(page.getByRole('button', { name: /^Revoke the old API key/ }));
    expect(await flash()).toContain('The API key is revoked');
    await page.getByRole('heading', { name: 'Keys and secrets', level: 1 }).waitFor();
    expect((await h.request('GET', '/v1/programs', { token: apiKey })).status).toBe(401);
    expect((await h.request('GET', '/v1/programs', { token: fresh })).status).toBe(200);
    // Signed in on the new key: the list marks it, and the next page still opens.
    expect(await page.getByRole('region', { name: 'API keys' }).textContent()).toContain('the console is signed in with this one');
    await page.goto(`${http.url}/admin/settings/webhooks`);
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  });

  it('raised no script, CSP or network error on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
