import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { insertEmailOnce } from '../../runtime/store/email-queries.ts';
import { referralRules } from '../api/fixtures.ts';
import { type HttpServer, signInAt, pressKey, chooseOption, openConsole, photographBothWidths } from './browser.ts';

// The Participants pages in Chromium, from the keyboard alone: the list and
// its filters and pages, then each action on a participant, its confirmation
// step, and its effect read back through the API (history included).


describe('console participants in Chromium', () => {
  let h: Harness;
  let http: HttpServer;
  let browser: Browser;
  let page: Page;
  let apiKey: string;
  let programId: string;
  const pageErrors: string[] = [];
  const api = async (method: string, path: string, body?: unknown) => (await h.request(method, path, { token: apiKey, body })).body;

  const press = (target: Locator) => pressKey(page, target);
  const choose = (select: Locator, label: string) => chooseOption(page, select, label);
  const main = () => page.getByRole('main');
  const listed = async () => (await page.getByRole('region', { name: /participants/ }).locator('tbody tr td:first-child a').allTextContents()).map((s) => s.trim());
  const status = () => page.getByRole('status').first().textContent();

  beforeAll(async () => {
    h = await createHarness('sqlite', { start: '2026-03-01T10:00:00.000Z' });
    apiKey = (await h.tenant('Acme')).apiKey;
    programId = (await api('POST', '/v1/programs', { name: 'Friends', settings: { w9Hold: true, w9ThresholdCents: 2000 } })).id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: apiKey, body: referralRules })).status).toBe(200);
    // Enough people for two pages, then the ones the test acts on (newest, so on the first page).
    for (let i = 0; i < 26; i++) await api('PUT', `/v1/participants/extra-${String(i).padStart(2, '0')}`, { email: `extra${i}@example.com` });
    h.clock.advance(1000);
    await api('PUT', '/v1/participants/alice', { email: 'alice@example.com', firstName: 'Alice' });
    await api('PUT', '/v1/participants/bob', { email: 'bob@example.com', firstName: 'Bob', referredBy: 'alice' });
    await api('PUT', '/v1/participants/carol', { email: 'carol@example.com', firstName: 'Carol', referredBy: 'alice', payoutInfoComplete: true });
    await api('PUT', '/v1/participants/dave', { email: 'dave@example.com', firstName: 'Dave', unsubscribed: true });
    expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: apiKey, body: { id: 'e1', type: 'purchase', participantId: 'bob', data: { amount: 80 } } })).status).toBe(201);
    expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: apiKey, body: { id: 'e2', type: 'signup', participantId: 'carol' } })).status).toBe(201);
    const tenantId = (await h.services.store.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
    const now = h.clock.now().toISOString();
    await insertEmailOnce(h.services.store.db, {
      id: 'failed-1', tenant_id: tenantId, program_id: programId, participant_id: 'carol', idempotency_key: 'failed-1', type: 'email-action', template: 'email-action',
      to_address: 'carol@example.com', subject: 'News for you', html: '<p>Hi</p>', text: 'Hi', status: 'failed', attempts: 5, next_attempt_at: null, lease_until: null,
      last_response: '550 5.1.1 Mailbox unavailable', message_id: '<failed-1@acme.test>', sender: 'smtp', created_at: now, updated_at: now, sent_at: null,
    });
    ({ http, browser, page } = await openConsole(h, pageErrors));

    await signInAt(page, `${http.url}/admin/participants`, apiKey, 'Participants');
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
  });

  it('lists everyone newest first, a page at a time', async () => {
    const first = await listed();
    expect(first.length).toBe(25);
    expect(first.slice(0, 4)).toEqual(['Dave', 'Carol', 'Bob', 'Alice']);
    await press(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next page' }));
    const second = await listed();
    expect(second.length).toBe(30 - 25);
    expect(second.filter((x) => first.includes(x))).toEqual([]);
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await press(page.getByRole('link', { name: 'First page' }));
    expect((await listed()).slice(0, 1)).toEqual(['Dave']);
    await photographBothWidths(page, 'participants-list');
  });

  it('filters by W-9, payout details, email state and referrer', async () => {
    const filter = page.getByRole('search', { name: 'Filter participants' });
    await choose(filter.getByLabel('W-9'), 'Required: a reward waits for it');
    await press(filter.getByRole('button', { name: 'Show participants' }));
    expect(await listed()).toEqual(['Alice']);
    expect(new URL(page.url()).searchParams.get('w9')).toBe('required');

    await choose(filter.getByLabel('W-9'), 'Any');
    await choose(filter.getByLabel('Payout details'), 'Complete');
    await press(filter.getByRole('button', { name: 'Show participants' }));
    expect(await listed()).toEqual(['Carol']);

    await choose(filter.getByLabel('Payout details'), 'Any');
    await choose(filter.getByLabel('Emails'), 'Unsubscribed');
    await press(filter.getByRole('button', { name: 'Show participants' }));
    expect(await listed()).toEqual(['Dave']);

    await choose(filter.getByLabel('Emails'), 'Any');
    await filter.getByLabel('Referred by (participant id)').focus();
    await page.keyboard.type('alice');
    await press(filter.getByRole('button', { name: 'Show participants' }));
    expect(await listed()).toEqual(['Carol', 'Bob']);

    // The API's own validation, at the field it concerns.
    await filter.getByLabel('Referred by (participant id)').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('not an id!');
    await press(filter.getByRole('button', { name: 'Show participants' }));
    expect(await page.locator('#f-referredBy-error').textContent()).toContain('may use letters, digits');
    await press(filter.getByRole('link', { name: 'Clear the filters' }));
    expect((await listed()).length).toBe(25);
  });

  it('marks a W-9 on file and payout details complete, each after a confirmation, releasing the held reward', async () => {
    await press(main().getByRole('link', { name: 'Alice', exact: true }));
    await page.getByRole('heading', { name: 'Alice', level: 1 }).waitFor();
    expect(await main().getByRole('region', { name: 'Participant' }).textContent()).toContain('a reward is held until it is on file');
    expect(await main().getByRole('region', { name: 'Rewards' }).textContent()).toContain('payout info, w9 required');
    await photographBothWidths(page, 'participant');

    await press(main().getByRole('button', { name: 'Mark W-9 on file…' }));
    await page.getByRole('heading', { name: 'Mark the W-9 of alice as on file?' }).waitFor();
    // Asking changed nothing yet.
    expect((await api('GET', '/v1/participants/alice')).w9OnFile).toBe(false);
    await photographBothWidths(page, 'participant-confirm');
    await press(main().getByRole('button', { name: 'Yes, the W-9 is on file' }));
    expect(await status()).toContain('The W-9 of alice is on file.');
    expect((await api('GET', '/v1/participants/alice')).w9OnFile).toBe(true);

    await press(main().getByRole('button', { name: 'Mark payout details complete…' }));
    await press(main().getByRole('button', { name: 'Yes, the payout details are complete' }));
    expect(await status()).toContain('The payout details of alice are complete.');
    const [reward] = (await api('GET', '/v1/participants/alice/rewards')).rewards;
    expect(reward.status).toBe('available');
    expect(reward.history.map((x: { reason: string }) => x.reason)).toEqual(expect.arrayContaining(['w9_on_file', 'payout_info_complete']));
    expect(await main().getByRole('region', { name: 'Rewards' }).textContent()).toContain('available');
  });

  it('redeems part of a reward once, and cancels only when confirmed', async () => {
    const rewards = main().getByRole('region', { name: 'Rewards' });
    await rewards.getByLabel('Amount to redeem (USD)').focus();
    await page.keyboard.type('10');
    await press(rewards.getByRole('button', { name: /^Redeem \$25\.00 referrer-bonus/ }));
    await page.getByRole('heading', { name: /^Redeem \$10\.00 of the \$25\.00 cash reward/ }).waitFor();
    const confirm = main().getByRole('button', { name: 'Yes, redeem' });
    // The same confirmed form sent twice (a double click, a reload) redeems once.
    const form = await confirm.evaluate((b: HTMLButtonElement) => Object.fromEntries(new FormData(b.form!)) as Record<string, string>);
    await press(confirm);
    expect(await status()).toContain('Redeemed $10.00 of the $25.00 cash reward');
    const again = await page.request.post(`${http.url}/admin/participants/alice/do`, { form, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    let [reward] = (await api('GET', '/v1/participants/alice/rewards')).rewards;
    expect(reward.remainingMinor).toBe(1500);
    expect(reward.history.filter((x: { reason: string }) => x.reason === 'redeemed').length).toBe(1);

    // More than remains: the API refuses, and the page says why.
    await page.reload();
    await rewards.getByLabel('Amount to redeem (USD)').focus();
    await page.keyboard.type('20');
    await press(rewards.getByRole('button', { name: /^Redeem \$25\.00 referrer-bonus/ }));
    await press(main().getByRole('button', { name: 'Yes, redeem' }));
    expect(await page.getByRole('alert').textContent()).toMatch(/^Not done: .*amount/);
    expect((await api('GET', '/v1/participants/alice/rewards')).rewards[0].remainingMinor).toBe(1500);

    await press(rewards.getByRole('button', { name: /^Cancel \$25\.00 referrer-bonus/ }));
    await press(main().getByRole('link', { name: 'No, go back' }));
    expect((await api('GET', '/v1/participants/alice/rewards')).rewards[0].status).toBe('available');
    await press(rewards.getByRole('button', { name: /^Cancel \$25\.00 referrer-bonus/ }));
    await press(main().getByRole('button', { name: 'Yes, cancel the reward' }));
    expect(await status()).toContain('is cancelled');
    [reward] = (await api('GET', '/v1/participants/alice/rewards')).rewards;
    expect(reward.status).toBe('cancelled');
    expect(reward.history.at(-1)).toMatchObject({ to: 'cancelled', actor: 'api' });
    expect(await rewards.textContent()).toContain('None: the reward is cancelled.');
  });

  it('reaches every action and its confirmation with Tab, in reading order', async () => {
    await page.goto(`${http.url}/admin/participants/bob`);
    await page.locator('#main').focus();
    const reached: string[] = [];
    for (let i = 0; i < 20 && reached.at(-1) !== 'Unsubscribe from emails…'; i++) {
      await page.keyboard.press('Tab');
      const text = (await page.evaluate(() => document.activeElement?.textContent?.trim())) ?? '';
      if (text.endsWith('…')) reached.push(text);
    }
    expect(reached).toEqual(['Mark W-9 on file…', 'Mark payout details complete…', 'Unsubscribe from emails…']);
    await page.keyboard.press('Shift+Tab');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await page.getByRole('heading', { name: 'Mark the payout details of bob as complete?' }).waitFor();
    // On the confirmation, the button then the way back.
    await page.locator('#main').focus();
    const order: string[] = [];
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press('Tab');
      order.push((await page.evaluate(() => document.activeElement?.textContent?.trim())) ?? '');
    }
    expect(order).toEqual(['Yes, the payout details are complete', 'No, go back']);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect((await api('GET', '/v1/participants/bob')).payoutInfoComplete).toBe(false);
  });

  it('says why the API refused, without acting', async () => {
    // A reward of another participant is not found on this one's page.
    const carolReward = (await api('GET', '/v1/participants/carol/rewards')).rewards[0].id;
    const csrf = await page.locator('input[name=_csrf]').first().getAttribute('value');
    const res = await page.request.post(`${http.url}/admin/participants/alice/confirm`, { form: { _csrf: csrf!, action: 'cancel-reward', rewardId: carolReward } });
    expect(res.status()).toBe(404);
    expect((await api('GET', '/v1/participants/carol/rewards')).rewards[0].status).toBe('available');
    // Without the session's token nothing runs.
    const forged = await page.request.post(`${http.url}/admin/participants/carol/do`, { form: { action: 'cancel-reward', rewardId: carolReward } });
    expect(forged.status()).toBe(403);
    expect((await api('GET', '/v1/participants/carol/rewards')).rewards[0].status).toBe('available');
  });

  it('resends a failed email and sets the email state back and forth', async () => {
    await page.goto(`${http.url}/admin/participants/carol`);
    await press(main().getByRole('button', { name: 'Resend “News for you”…' }));
    await page.getByRole('heading', { name: 'Send the email “News for you” again?' }).waitFor();
    expect(await main().textContent()).toContain('550 5.1.1 Mailbox unavailable');
    await press(main().getByRole('button', { name: 'Yes, send it again' }));
    expect(await status()).toContain('is queued again');
    expect((await api('GET', '/v1/emails/failed-1')).status).not.toBe('failed');

    await page.goto(`${http.url}/admin/participants/dave`);
    expect(await main().getByRole('region', { name: 'Participant' }).textContent()).toContain('Unsubscribed');
    await press(main().getByRole('button', { name: 'Subscribe to emails again…' }));
    await press(main().getByRole('button', { name: 'Yes, subscribe again' }));
    expect(await status()).toContain('dave is subscribed again');
    expect((await api('GET', '/v1/participants/dave')).unsubscribed).toBe(false);
    await press(main().getByRole('button', { name: 'Unsubscribe from emails…' }));
    await press(main().getByRole('button', { name: 'Yes, unsubscribe' }));
    expect((await api('GET', '/v1/participants/dave')).unsubscribed).toBe(true);
  });

  it('ran without script errors or blocked content', () => {
    expect(pageErrors).toEqual([]);
  });
});
