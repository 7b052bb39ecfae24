import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { runDueJobs } from '../../runtime/scheduler.ts';
import { referralRules } from '../api/fixtures.ts';
import { type HttpServer, signInAt, pressKey, chooseOption, openConsole, photographBothWidths } from './browser.ts';

// The Backtests pages in Chromium, from the keyboard alone: the form's
// refusals at their fields, a backtest that runs in chunks (its page
// refreshing itself until the scheduler finishes it), and the report's
// tables, chart and changed events, checked against the API.


/** Version 2: the referral bonus raised from $25 to $30. */
const raised = structuredClone(referralRules);
(raised.rules[0]!.event.params as { amount: number }).amount = 30;

describe('console backtests in Chromium', () => {
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
  const rewardCount = async () => (await h.services.store.db.selectFrom('rewards').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  beforeAll(async () => {
    // Chunks of 4 events: ten events take the POST and more than one scheduler step.
    h = await createHarness('sqlite', { start: '2026-03-01T10:00:00.000Z', env: { BACKTEST_CHUNK_EVENTS: '4' } });
    apiKey = (await h.tenant('Acme')).apiKey;
    programId = (await api('POST', '/v1/programs', { name: 'Friends' })).id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: apiKey, body: referralRules })).status).toBe(200);
    await api('PUT', '/v1/participants/ref', { email: 'owner@example.com', payoutInfoComplete: true });
    for (let i = 0; i < 5; i++) {
      await api('PUT', `/v1/participants/p${i}`, { email: `p${i}@example.org`, referredBy: 'ref' });
      expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: apiKey, body: { id: `buy-${i}`, type: 'purchase', participantId: `p${i}`, data: { amount: 60 } } })).status).toBe(201);
      expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: apiKey, body: { id: `small-${i}`, type: 'purchase', participantId: `p${i}`, data: { amount: 10 } } })).status).toBe(201);
      h.clock.advance(60_000);
    }
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: apiKey, body: raised })).status).toBe(200);
    ({ http, browser, page } = await openConsole(h, pageErrors));
    await signInAt(page, `${http.url}/admin/programs`, apiKey, 'Programs');
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
  });

  it('is a tab of the program, reached from the Programs list through its Overview', async () => {
    await press(page.getByRole('link', { name: 'Overview' }));
    await page.getByRole('heading', { name: 'Overview of Friends', level: 1 }).waitFor();
    await press(page.getByRole('navigation', { name: 'Program Friends' }).getByRole('link', { name: 'Backtests' }));
    await page.getByRole('heading', { name: 'Backtests of Friends', level: 1 }).waitFor();
    // The active version is the default candidate; the window the last 30 days.
    expect(await page.getByLabel('Candidate rules').evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0]?.label)).toMatch(/^Version 2 \(active\)/);
    expect(await page.getByLabel('Through (UTC, last day)').inputValue()).toBe('2026-03-01');
  });

  it("says at the field what the API refuses, and what the form's JSON gets wrong", async () => {
    await page.getByLabel('From (UTC, first day)').fill('2026-03-05');
    await press(page.getByRole('button', { name: 'Start the backtest' }));
    expect(await page.locator('#f-through-error').textContent()).toBeTruthy();
    expect(await page.locator('#f-from-error').count()).toBe(0);

    await page.getByLabel('From (UTC, first day)').fill('2026-02-01');
    await choose(page.getByLabel('Candidate rules'), 'The rules below (JSON)');
    const rules = page.getByLabel(/Rules JSON/);
    await rules.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{"rules": [{"name": "x", "conditions": {"all": [{"fact": "event", "operator": "greaterThanInclusive"}]}, "event": {"type": "nope"}}]}');
    await press(page.getByRole('button', { name: 'Start the backtest' }));
    const error = await page.locator('#f-rules-error').textContent();
    expect(error).toContain('/rules/0');
    expect((await api('GET', `/v1/programs/${programId}/backtests`)).backtests).toEqual([]);
  });

  it('runs a backtest in chunks, its page refreshing itself until done', async () => {
    await choose(page.getByLabel('Candidate rules'), 'Version 2 (active), saved 2026-03-01 10:05 UTC');
    await press(page.getByRole('button', { name: 'Start the backtest' }));
    await page.getByRole('heading', { name: 'Backtest of version 2', level: 1 }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('running');
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('3');
    expect(await page.getByRole('progressbar', { name: 'Events replayed' }).count()).toBe(1);
    const [b] = (await api('GET', `/v1/programs/${programId}/backtests`)).backtests;
    expect(b).toMatchObject({ status: 'running', candidate: { version: 2 }, from: '2026-02-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' });
    for (let i = 0; i < 5 && (await api('GET', `/v1/programs/${programId}/backtests/${b.id}`)).status !== 'done'; i++) await runDueJobs(h.services);
    // The refresh reloads it (no key pressed).
    await page.waitForURL(page.url(), { waitUntil: 'load' });
    await page.locator('meta[http-equiv="refresh"]').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByRole('region', { name: 'Status' }).textContent()).toContain('done');
  });

  it('reports the diff as tables, one chart, and the changed events with both explanations', async () => {
    const rewards = page.getByRole('region', { name: 'Rewards' });
    const byKind = rewards.getByRole('table', { name: 'Rewards added and removed, by kind and currency' });
    expect((await byKind.locator('tbody tr').first().textContent())?.replace(/\s+/g, ' ')).toBe('cashUSD5$150.005$125.00+$25.00');
    expect(await rewards.getByRole('table', { name: 'Rules: how often each fired' }).locator('tbody').textContent()).toContain('referrer-bonus55');
    expect(await page.getByRole('img', { name: /How the events replayed/ }).count()).toBe(1);
    const events = await page.getByRole('region', { name: 'Events', exact: true }).textContent();
    expect(events).toContain('10 events replayed');
    expect(events).toContain('5 changed');
    expect(await page.getByRole('region', { name: /Participants, W-9/ }).textContent()).toContain('participants affected');
    const sample = page.getByRole('region', { name: 'Changed events (sample)' });
    const first = sample.locator('details.sample').first();
    await first.locator(':scope > summary').focus();
    await page.keyboard.press('Enter');
    const text = (await first.textContent()) ?? '';
    expect(text).toContain('Then (version 1)');
    expect(text).toContain('With the candidate');
    expect(text).toContain('greater than or equal');
    expect(text).toContain('Added: $30.00 cash to ref');
    expect(text).toContain('Removed: $25.00 cash to ref');
    await photographBothWidths(page, 'backtest-report');
    // Nothing but the backtest was written: the five $25 bonuses are still the only ones.
    expect(await rewardCount()).toBe(5);
  });

  it('lists the backtests with their status and progress', async () => {
    await press(page.getByRole('link', { name: '← All backtests' }));
    const row = page.getByRole('region', { name: 'Backtests' }).locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect((await row.textContent())?.replace(/\s+/g, ' ')).toContain('done10 of 10 events (100%)');
    await photographBothWidths(page, 'backtests');
  });

  it('raised no script or CSP error', () => {
    expect(pageErrors).toEqual([]);
  });
});
