import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { addEmail, addFailingEndpoint, addReward, breakMailSettings } from '../support/overview-fixtures.ts';
import { type HttpServer, openConsole, photographBothWidths } from './browser.ts';

// A program's Overview in Chromium, reached and read from the keyboard: the
// numbers, the charts (SVG images with a name and a description, and their
// tables), and what needs attention with the way to fix it.

const DAY = 86_400_000;
const RULES = { rules: [{ name: 'welcome', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'signup' }] }, event: { type: 'email', params: { template: 'email-action', to: 'participant', data: { message: 'Welcome' } } } }] };

describe('program Overview in Chromium', () => {
  let h: Harness;
  let http: HttpServer;
  let browser: Browser;
  let page: Page;
  let apiKey: string;
  let programId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    h = await createHarness('sqlite', { start: '2026-06-30T10:00:00.000Z' });
    const tenant = await h.tenant('Acme');
    apiKey = tenant.apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: apiKey, body: { name: 'Friends' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token: apiKey, body: { email: 'p1@example.com' } });
    // Events on most of the last 30 days, in a pattern a chart shows.
    const today = Date.parse('2026-06-30T10:00:00.000Z');
    let n = 0;
    for (let d = 29; d >= 0; d--) {
      h.clock.set(new Date(today - d * DAY).toISOString());
      for (let i = 0; i < (d * 7) % 5; i++) {
        await h.request('POST', `/v1/programs/${programId}/events`, { token: apiKey, body: { id: `e${n++}`, type: 'visit', participantId: 'p1', data: {} } });
      }
    }
    h.clock.set(new Date(today).toISOString());
    const t = { tenantId: tenant.id, programId };
    await addReward(h, t, 'r1', { status: 'available', amountMinor: 2500 });
    await addReward(h, t, 'r2', { status: 'available', amountMinor: 2500, daysAgo: 3 });
    await addReward(h, t, 'r3', { status: 'pending', amountMinor: 1000, reasons: 'review' });
    await addReward(h, t, 'r4', { status: 'redeemed', amountMinor: 5000, daysAgo: 10 });
    await addReward(h, t, 'r5', { status: 'cancelled', amountMinor: 500, daysAgo: 12 });
    for (let d = 0; d < 30; d += 2) await addEmail(h, t, `s${d}`, 'sent', d);
    await addEmail(h, t, 'f1', 'failed', 2);
    await addEmail(h, t, 'x1', 'suppressed', 5);
    await addEmail(h, t, 'q1', 'queued');
    await breakMailSettings(h, tenant.id);
    await addFailingEndpoint(h, tenant.id, 'we1', 'https://hooks.acme.test/rewards', 'disabled');
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: apiKey, body: RULES })).status).toBe(200);

    ({ http, browser, page } = await openConsole(h, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
  });

  const focusedText = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  async function tabToText(text: string) {
    for (let i = 0; i < 60; i++) {
      if ((await focusedText()) === text) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached "${text}" (focus is on "${await focusedText()}")`);
  }

  it('is reached from the keyboard: Programs, the program, its Overview tab', async () => {
    await page.goto(`${http.url}/admin/sign-in?next=/admin/programs`);
    await page.keyboard.press('Tab');
    await page.keyboard.type(apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Programs', level: 1 }).waitFor();
    await tabToText('Rules');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Rules of Friends' }).waitFor();
    await tabToText('Overview');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview of Friends', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/admin/programs/${programId}/overview`);
    expect(await page.getByRole('navigation', { name: 'Program Friends' }).getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
  });

  it('lists what needs attention, each with the way to fix it', async () => {
    const attention = page.getByRole('region', { name: 'Needs attention' });
    const codes = await attention.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code')));
    expect(codes).toEqual(['smtp_failing', 'domain_unverified', 'webhook_disabled', 'emails_failed']);
    expect(await attention.getByRole('link', { name: 'Fix the mail server' }).getAttribute('href')).toBe('/admin/settings/integrations#smtp');
    expect(await attention.getByRole('link', { name: 'Verify the domain' }).getAttribute('href')).toBe('/admin/settings/custom-domain');
    expect(await attention.getByRole('link', { name: 'See the webhooks' }).getAttribute('href')).toBe('/admin/settings/webhooks');
    expect(await attention.getByRole('link', { name: 'Show the failed emails' }).getAttribute('href')).toBe('/admin/emails?status=failed');
  });

  it('shows the numbers at a glance', async () => {
    const figures = page.getByRole('region', { name: 'At a glance' });
    const value = (label: string) => figures.locator('div', { has: page.locator('dt', { hasText: label }) }).locator('.figure').textContent();
    const expectedEvents = Array.from({ length: 30 }, (_, d) => (d * 7) % 5).reduce((a, b) => a + b, 0);
    expect(await value('Events')).toBe(String(expectedEvents));
    expect(await value('Rewards')).toBe('5');
    expect(await value('Pending reviews')).toBe('1');
    expect(await value('Emails sent')).toBe('15');
    expect(await value('Outbox')).toBe('1');
  });

  it('draws each chart as a named, described image, with its numbers in a table that opens from the keyboard', async () => {
    const events = page.getByRole('img', { name: 'Events per day, 2026-06-01 to 2026-06-30' });
    expect(await events.count()).toBe(1);
    expect(await events.locator('desc').textContent()).toMatch(/^\d+ events in 30 days; the busiest day had 4\.$/);
    // One bar per day with events, each with its tooltip.
    expect(await events.locator('rect').count()).toBe(24);
    expect(await events.locator('g > title').first().textContent()).toMatch(/^2026-06-0\d: \d events$/);
    const emails = page.getByRole('img', { name: /^Emails per day by outcome/ });
    expect(await emails.locator('desc').textContent()).toBe('In 30 days: 15 sent, 1 failed, 1 suppressed. Bars stack sent, failed and suppressed.');
    const rewards = page.getByRole('img', { name: 'Rewards of the last 30 days by status' });
    expect(await rewards.locator('desc').textContent()).toBe('Pending: 1 worth $10.00; Available: 2 worth $50.00; Redeemed: 1 worth $50.00; Cancelled: 1 worth $5.00; Expired: 0.');

    await tabToText('Emails per day as a table');
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: 'Emails per day by outcome (UTC)' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(31);
    expect(await table.getByRole('row', { name: /^2026-06-28 / }).getByRole('cell').allTextContents()).toEqual(['1', '1', '0']);
    await page.keyboard.press('Enter');
    expect(await table.isVisible()).toBe(false);
  });

  it('fits a phone and a desktop', async () => {
    await page.reload();
    await photographBothWidths(page, 'overview');
  });

  it("answers 404 for a program that is not this tenant's", async () => {
    const other = await h.tenant('Other');
    const theirs = (await h.request('POST', '/v1/programs', { token: other.apiKey, body: { name: 'Theirs' } })).body.id;
    for (const id of [theirs, 'not-a-program']) {
      const res = await page.goto(`${http.url}/admin/programs/${id}/overview`);
      expect(res?.status()).toBe(404);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      expect(await page.content()).not.toContain('Theirs');
    }
  });

  it('ran without script errors or blocked content', () => {
    expect(pageErrors).toEqual([]);
  });
});
