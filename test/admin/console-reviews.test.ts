import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { referralRules } from '../api/fixtures.ts';
import { fitsWidth, screenshot, type HttpServer, signInAt, PHONE, DESKTOP, pressKey, chooseOption, openConsole, photographBothWidths } from './browser.ts';

// The Reviews page in Chromium, from the keyboard alone: the queue with the
// flags the referral checks wrote (real ones: a blocked domain under a
// `review` outcome), its program filter and pages, then one decision and a
// bulk one, each confirmed, their effects read back through the API.


describe('console reviews in Chromium', () => {
  let h: Harness;
  let http: HttpServer;
  let browser: Browser;
  let page: Page;
  let apiKey: string;
  let programId: string;
  let otherId: string;
  const pageErrors: string[] = [];
  const api = async (method: string, path: string, body?: unknown) => (await h.request(method, path, { token: apiKey, body })).body;
  let seq = 0;
  /** A purchase whose referrer bonus the `blocked` check sends to review. */
  const heldPurchase = async (program: string) => {
    const res = await h.request('POST', `/v1/programs/${program}/events`, { token: apiKey, body: { id: `buy-${++seq}`, type: 'purchase', participantId: 'flagged', data: { amount: 60 } } });
    expect(res.body.rewards[0]).toMatchObject({ status: 'pending', pendingReasons: ['review'] });
    h.clock.advance(1000);
    return res.body.rewards[0].id as string;
  };

  const press = (target: Locator) => pressKey(page, target);
  const choose = (select: Locator, label: string) => chooseOption(page, select, label);
  const queue = () => page.getByRole('region', { name: /Waiting for review/ });
  const rows = () => queue().locator('tbody tr');
  const reward = async (id: string) => api('GET', `/v1/rewards/${id}`);
  const ids: string[] = [];

  beforeAll(async () => {
    h = await createHarness('sqlite', { start: '2026-03-01T10:00:00.000Z' });
    apiKey = (await h.tenant('Acme')).apiKey;
    const settings = { referralChecks: { blocked: { outcome: 'review' } } };
    programId = (await api('POST', '/v1/programs', { name: 'Friends', settings })).id;
    otherId = (await api('POST', '/v1/programs', { name: 'Partners', settings })).id;
    for (const id of [programId, otherId]) expect((await h.request('PUT', `/v1/programs/${id}/rules`, { token: apiKey, body: referralRules })).status).toBe(200);
    expect((await h.request('PUT', '/v1/referral-blocks', { token: apiKey, body: { blocks: ['blocked.example'] } })).status).toBe(200);
    await api('PUT', '/v1/participants/ref', { email: 'owner@example.com', payoutInfoComplete: true });
    await api('PUT', '/v1/participants/flagged', { email: 'x@mail.blocked.example', referredBy: 'ref' });
    await heldPurchase(otherId);
    // 27 in Friends: more than a page (25) of the queue.
    for (let i = 0; i < 27; i++) ids.push(await heldPurchase(programId));
    ({ http, browser, page } = await openConsole(h, pageErrors));
    await signInAt(page, `${http.url}/admin/programs/${programId}/overview`, apiKey, 'Overview of Friends');
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
  });

  it("opens from the Overview's pending reviews, filtered to the program, with each reward's flags", async () => {
    await press(page.getByRole('link', { name: '27 pending reviews: open the review queue' }));
    await page.getByRole('heading', { name: 'Reviews', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('programId')).toBe(programId);
    expect(await rows().count()).toBe(25);
    const first = await rows().first().textContent();
    expect(first).toContain('$25.00');
    expect(first).toContain('Blocked address');
    expect(first).toContain('blocked.example is blocked');
    expect(first).toContain('Friends');
    await press(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next page' }));
    expect(await rows().count()).toBe(2);
    await press(page.getByRole('link', { name: 'First page' }));
    // All programs: the Partners one is in the queue too (the oldest, so on the second page).
    await choose(page.getByLabel('Program'), 'All programs');
    await press(page.getByRole('button', { name: 'Show reviews' }));
    await press(page.getByRole('link', { name: 'Next page' }));
    expect(await rows().count()).toBe(3);
    expect(await rows().last().textContent()).toContain('Partners');
    await choose(page.getByLabel('Program'), 'Friends');
    await press(page.getByRole('button', { name: 'Show reviews' }));
    await photographBothWidths(page, 'reviews');
  });

  it('approves one reward with a note, after a confirmation', async () => {
    const newest = ids.at(-1)!;
    await press(rows().first().getByRole('button', { name: /^Approve / }));
    await page.getByRole('heading', { name: 'Approve the $25.00 cash for ref?' }).waitFor();
    await page.getByLabel(/Note for the history/).focus();
    await page.keyboard.type('Known partner, checked by phone');
    await photographBothWidths(page, 'reviews-confirm');
    await press(page.getByRole('button', { name: 'Yes, approve it' }));
    expect(await page.getByRole('heading', { name: 'Approved: 1 of 1' }).count()).toBe(1);
    const r = await reward(newest);
    expect(r.status).toBe('available');
    expect(r.history.at(-1)).toMatchObject({ reason: 'review_approved', note: 'Known partner, checked by phone' });
  });

  it('denies the selected rewards at once, and says why one of them was not done', async () => {
    await press(page.getByRole('link', { name: 'Back to the review queue' }));
    const [a, b, c] = [ids.at(-2)!, ids.at(-3)!, ids.at(-4)!];
    for (const id of [a, b, c]) {
      await page.locator(`#pick-${id}`).focus();
      await page.keyboard.press('Space');
    }
    await press(page.getByRole('button', { name: 'Deny selected…' }));
    await page.getByRole('heading', { name: 'Deny 3 rewards?' }).waitFor();
    // Someone else decides one of them while this page is open.
    expect((await h.request('POST', `/v1/rewards/${b}/approve`, { token: apiKey })).status).toBe(200);
    await page.getByLabel(/Note for the history/).focus();
    await page.keyboard.type('Blocked domain');
    await press(page.getByRole('button', { name: 'Yes, deny these 3' }));
    await page.getByRole('heading', { name: 'Denied: 2 of 3' }).waitFor();
    expect(await page.locator(`tr[data-reward="${b}"]`).textContent()).toContain('not waiting for review');
    await photographBothWidths(page, 'reviews-results');
    for (const id of [a, c]) {
      const r = await reward(id);
      expect(r.status).toBe('cancelled');
      expect(r.history.at(-1)).toMatchObject({ reason: 'review_denied', note: 'Blocked domain' });
    }
    expect((await reward(b)).status).toBe('available');
    // The queue no longer has any of them.
    const queueIds = (await api('GET', `/v1/reviews?programId=${programId}&limit=100`)).reviews.map((r: any) => r.id);
    expect(queueIds.filter((id: string) => [a, b, c, ids.at(-1)].includes(id))).toEqual([]);
    expect(queueIds.length).toBe(23);
  });

  it('asks for a selection before a bulk decision, and refuses a note over 1000 characters at the field', async () => {
    await press(page.getByRole('link', { name: 'Back to the review queue' }));
    await press(page.getByRole('button', { name: 'Approve selected…' }));
    expect(await page.getByRole('alert').textContent()).toContain('Select at least one reward first.');
    await press(page.getByRole('link', { name: 'Back to the review queue' }));
    const id = ids.at(-5)!;
    await page.locator(`#pick-${id}`).focus();
    await page.keyboard.press('Space');
    await press(page.getByRole('button', { name: 'Approve selected…' }));
    await page.getByLabel(/Note for the history/).focus();
    await page.keyboard.insertText('x'.repeat(1001));
    await press(page.getByRole('button', { name: 'Yes, approve it' }));
    expect(await page.locator('#f-note-error').textContent()).toContain('at most 1000 characters');
    expect((await reward(id)).pendingReasons).toEqual(['review']);
  });

  it("sets the program's referral checks, the API's validation at each field", async () => {
    const retype = async (field: Locator, text: string) => {
      await field.focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      if (text) await page.keyboard.type(text);
    };
    await page.goto(`${http.url}/admin/programs/${programId}/settings`);
    const checks = page.getByRole('region', { name: 'Referral checks' });
    expect(await checks.getByLabel('Blocked address').evaluate((s) => (s as unknown as HTMLSelectElement).value)).toBe('review');
    expect(await checks.getByLabel('Self-referral').evaluate((s) => (s as unknown as HTMLSelectElement).value)).toBe('allow');
    await choose(checks.getByLabel('Self-referral'), 'Deny');
    await choose(checks.getByLabel('Many referrals at once'), 'Review');
    await retype(checks.getByLabel(/Referrals allowed in the window/), '0');
    await retype(checks.getByLabel(/Window \(minutes\)/), 'soon');
    await press(page.getByRole('button', { name: 'Save settings' }));
    expect(await page.locator('#f-rc-rate-count-error').textContent()).toContain('1');
    expect(await page.locator('#f-rc-rate-windowMinutes-error').textContent()).toBeTruthy();
    expect((await api('GET', `/v1/programs/${programId}`)).settings.referralChecks.selfReferral.outcome).toBe('allow');
    await screenshot(page, 'program-settings-referral-checks');
    await retype(checks.getByLabel(/Referrals allowed in the window/), '5');
    await retype(checks.getByLabel(/Window \(minutes\)/), '60');
    await press(page.getByRole('button', { name: 'Save settings' }));
    expect(await page.getByRole('status').first().textContent()).toContain('Settings saved');
    expect((await api('GET', `/v1/programs/${programId}`)).settings.referralChecks).toMatchObject({
      selfReferral: { outcome: 'deny' }, cycle: { outcome: 'allow' }, rate: { outcome: 'review', count: 5, windowMinutes: 60 }, blocked: { outcome: 'review' },
    });
    await page.setViewportSize(PHONE);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'program-settings-referral-checks');
    await page.setViewportSize(DESKTOP);
  });

  it("edits the tenant's referral block list, one per line, a refused line named", async () => {
    await press(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }));
    const card = page.getByRole('region', { name: 'Referral blocks' });
    expect(await card.textContent()).toContain('1 blocked address or domain');
    await press(card.getByRole('link', { name: 'Edit the block list' }));
    const list = page.getByLabel(/Blocked addresses and domains/);
    expect(await list.inputValue()).toBe('blocked.example');
    await list.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n\nnot a domain!!');
    await press(page.getByRole('button', { name: 'Save the block list' }));
    expect(await page.locator('#f-blocks-error').textContent()).toMatch(/^line 3 \(not a domain!!\): /);
    expect((await api('GET', '/v1/referral-blocks')).blocks.map((b: any) => b.value)).toEqual(['blocked.example']);
    await page.getByLabel(/Blocked addresses and domains/).focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('Bad.Guy+x@Gmail.com');
    await press(page.getByRole('button', { name: 'Save the block list' }));
    expect(await page.getByRole('status').first().textContent()).toContain('Saved: 2 entries');
    expect((await api('GET', '/v1/referral-blocks')).blocks.map((b: any) => b.value)).toEqual(['badguy@gmail.com', 'blocked.example']);
    expect(await page.getByLabel(/Blocked addresses and domains/).inputValue()).toBe('badguy@gmail.com\nblocked.example');
    await photographBothWidths(page, 'referral-blocks');
  });

  it("approves a reward in review from its participant's page, through the same confirmation", async () => {
    const id = ids.at(-5)!;
    await page.goto(`${http.url}/admin/participants/ref`);
    const row = page.locator('tbody tr').filter({ has: page.locator(`button[value="approve:${id}"]`) });
    await press(row.getByRole('button', { name: /^Approve / }));
    await page.getByRole('heading', { name: 'Approve the $25.00 cash for ref?' }).waitFor();
    await press(page.getByRole('button', { name: 'Yes, approve it' }));
    expect(await page.getByRole('heading', { name: 'Approved: 1 of 1' }).count()).toBe(1);
    expect(await reward(id)).toMatchObject({ status: 'available' });
    expect((await reward(id)).history.at(-1)).toMatchObject({ reason: 'review_approved' });
    // A reward no longer in review offers no decision there (read with the page's session, staying on the results).
    const after = await (await page.request.get(`${http.url}/admin/participants/ref`)).text();
    expect(after).toContain(`approve:${ids.at(-6)!}`);
    expect(after).not.toContain(`approve:${id}`);
  });

  it('raised no script or CSP error', () => {
    expect(pageErrors).toEqual([]);
  });
});
