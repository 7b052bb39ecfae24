import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { type HttpServer, signInAt, pressKey, openConsole, photographBothWidths } from './browser.ts';

// A program's Settings, Templates and Rules pages in Chromium, from the
// keyboard alone: the API's validation at each field, a new template with its
// preview, and the rules editor's problems in line order, operators in words
// and completion from the rules' JSON Schema.


// Three mistakes, which the API reports out of line order: the reference to a
// shared condition that does not exist (line 5) is checked after every rule.
const MISTAKES = `{
  "rules": [
    {
      "name": "promo",
      "conditions": { "condition": "nope" },
      "event": { "type": "email", "params": { "template": "email-action", "to": "participant" } }
    },
    {
      "name": "second",
      "conditions": { "all": [{ "fact": "event", "path": "$.type", "operator": "isAbout", "value": "purchase" }] },
      "event": { "type": "email", "params": { "template": "Spring Promo", "to": "participant" } }
    }
  ]
}`;

describe('console programs in Chromium', () => {
  let h: Harness;
  let http: HttpServer;
  let browser: Browser;
  let page: Page;
  let apiKey: string;
  let programId: string;
  const pageErrors: string[] = [];
  const api = async (method: string, path: string, body?: unknown) => (await h.request(method, path, { token: apiKey, body })).body;
  const main = () => page.getByRole('main');
  const status = () => page.getByRole('status').first().textContent();

  const press = (target: Locator) => pressKey(page, target);
  /** Replaces a field's text from the keyboard. */
  async function retype(field: Locator, text: string) {
    await field.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    if (text) await page.keyboard.insertText(text);
  }
  const errorOf = (id: string) => page.locator(`#${id}-error`).textContent();
  async function shoot(name: string) {
    await photographBothWidths(page, name);
  }

  beforeAll(async () => {
    h = await createHarness('sqlite');
    apiKey = (await h.tenant('Acme')).apiKey;
    programId = (await api('POST', '/v1/programs', { name: 'Friends', settings: { expiresInDays: 90 } })).id;
    ({ http, browser, page } = await openConsole(h, pageErrors));
    await signInAt(page, `${http.url}/admin/programs`, apiKey, 'Programs');
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
  });

  it("shows the API's validation at each settings field and saves nothing until all are right", async () => {
    await press(main().getByRole('link', { name: 'Settings', exact: true }));
    await page.getByRole('heading', { name: 'Settings of Friends', level: 1 }).waitFor();
    expect(await page.getByLabel('Expires in days').inputValue()).toBe('90');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');
    // Time zones complete from the runtime's list.
    expect(await page.locator('#time-zones option[value="America/New_York"]').count()).toBe(1);

    await retype(page.getByLabel('Time zone'), 'Mars/Olympus');
    await retype(page.getByLabel('Hold days'), '-1');
    await retype(page.getByLabel('Tax thresholds (USD cents per year)'), '2027 = 200000\n27 = 5');
    await retype(page.getByLabel('Payout reminders at most'), '99');
    await retype(page.getByLabel('W-9 form link'), 'not a link');
    await retype(page.getByLabel('Limits (JSON)'), '[{"name": "x", "scope": "program", "measure": "amount", "period": "month", "max": 5}]');
    await press(main().getByRole('button', { name: 'Save settings' }));
    expect(await page.getByRole('alert').textContent()).toContain('Not saved: 6 settings need a change');
    expect(await errorOf('f-timeZone')).toContain('must be an IANA time zone');
    expect(await errorOf('f-holdDays')).toContain('must be at least 0');
    expect(await errorOf('f-taxThresholds')).toContain('must be a year like "2027"');
    expect(await errorOf('f-payoutReminder-maxReminders')).toContain('must be at most 50');
    expect(await errorOf('f-w9FormUrl')).toBeTruthy();
    expect(await errorOf('f-limits')).toBe('limit 1, currency: an amount limit needs a currency; a count limit has none');
    // What was typed stays, and nothing was saved.
    expect(await page.getByLabel('Hold days').inputValue()).toBe('-1');
    expect((await api('GET', `/v1/programs/${programId}`)).settings.timeZone).toBe('UTC');
    await shoot('program-settings-errors');

    // JSON the console cannot read is placed by line before the API is asked.
    await retype(page.getByLabel('Limits (JSON)'), '[\n  {"name": "x",}\n]');
    await press(main().getByRole('button', { name: 'Save settings' }));
    expect(await errorOf('f-limits')).toMatch(/^line 2: /);
  });

  it('saves the settings, and a blank field goes back to its default', async () => {
    await retype(page.getByLabel('Time zone'), 'America/New_York');
    await retype(page.getByLabel('Hold days'), '3');
    await retype(page.getByLabel('Tax thresholds (USD cents per year)'), '2027 = 200000');
    await retype(page.getByLabel('Payout reminders at most'), '2');
    await retype(page.getByLabel('W-9 form link'), 'https://example.com/w9');
    await retype(page.getByLabel('Expires in days'), '');
    await retype(page.getByLabel('Limits (JSON)'), '[{"name": "per-month", "scope": "referrer", "measure": "count", "period": "month", "max": 5}]');
    await page.getByLabel('Hold cash that crosses the threshold until the W-9 is on file').focus();
    await page.keyboard.press('Space');
    await press(main().getByRole('button', { name: 'Save settings' }));
    expect(await status()).toContain('Settings saved');
    const { settings } = await api('GET', `/v1/programs/${programId}`);
    expect(settings).toMatchObject({
      timeZone: 'America/New_York', holdDays: 3, taxThresholds: { '2027': 200000 }, w9Hold: true, w9FormUrl: 'https://example.com/w9',
      payoutReminder: { everyDays: 7, maxReminders: 2 }, limits: [{ name: 'per-month', scope: 'referrer', measure: 'count', period: 'month', max: 5 }],
    });
    expect(settings.expiresInDays).toBeUndefined();
    expect(await page.getByLabel('Hold days').inputValue()).toBe('3');
    await shoot('program-settings');
  });

  it('creates a template from another, previews and saves it', async () => {
    await press(main().getByRole('navigation').getByRole('link', { name: 'Templates', exact: true }));
    await retype(page.getByLabel('Template key'), 'Spring Promo');
    await press(main().getByRole('button', { name: 'Create template' }));
    expect(await errorOf('f-key')).toContain('lower-case letters, digits and dashes');
    await retype(page.getByLabel('Template key'), 'spring-promo');
    const from = page.getByLabel('Start from');
    await from.focus();
    for (let i = 0; i < 20 && (await from.inputValue()) !== 'reward'; i++) await page.keyboard.press('ArrowDown');
    await press(main().getByRole('button', { name: 'Create template' }));
    await page.getByRole('heading', { name: 'Template spring-promo', level: 1 }).waitFor();
    expect(await status()).toContain('Template “spring-promo” created from “reward”');
    const reward = (await api('GET', `/v1/programs/${programId}/templates`)).templates.find((t: { key: string }) => t.key === 'reward');
    expect((await api('GET', `/v1/programs/${programId}/templates`)).templates.find((t: { key: string }) => t.key === 'spring-promo')).toMatchObject({ source: 'program', subject: reward.subject });

    // The preview renders what is in the form, with the sample data.
    await retype(page.getByLabel('Subject'), 'Spring is here, {{ participant.firstName }}: {{ reward.amountFormatted }}');
    await press(main().getByRole('button', { name: 'Preview' }));
    expect(await page.getByRole('region', { name: 'Preview' }).textContent()).toContain('Spring is here, Ada: $25.00');
    await retype(page.getByLabel('Subject'), 'Spring is here {{ participant.firstName ');
    await press(main().getByRole('button', { name: 'Save template' }));
    expect(await errorOf('f-subject')).toBeTruthy();
    await retype(page.getByLabel('Subject'), 'Spring is here, {{ participant.firstName }}');
    await press(main().getByRole('button', { name: 'Save template' }));
    expect(await status()).toContain('Template saved');
    await press(main().getByRole('navigation').getByRole('link', { name: 'Templates', exact: true }));
    const row = main().getByRole('row').filter({ hasText: 'spring-promo' });
    expect(await row.textContent()).toContain('Custom');
    await shoot('templates');
  });

  it('lists rule problems in line order, operators in words, and completes names from the schema', async () => {
    await press(main().getByRole('navigation').getByRole('link', { name: 'Rules', exact: true }));
    const editor = page.getByLabel('Rules (JSON)');
    await retype(editor, MISTAKES);
    // As the API answers them: not in line order.
    const answered = await h.request('PUT', `/v1/programs/${programId}/rules`, { token: apiKey, body: JSON.parse(MISTAKES) });
    const pointers = answered.body.error.details.map((d: { pointer: string }) => d.pointer);
    expect(pointers).toHaveLength(3);
    expect(pointers.at(-1)).toBe('/rules/0/conditions/condition');
    await press(main().getByRole('button', { name: 'Save rules' }));
    const problems = page.getByRole('list', { name: 'Problems in the rules' });
    const lines = (await problems.getByRole('link').allTextContents()).map((t) => Number(/Line (\d+)/.exec(t)![1]));
    expect(lines).toEqual([5, 10, 11]);
    expect(await problems.textContent()).toContain('unknown operator "isAbout"; expected one of equal, not equal (notEqual), in, not in (notIn), contains');
    expect(await problems.textContent()).toContain('greater than or equal (greaterThanInclusive)');

    // Completion from the schema: facts, operators in words with their JSON name, and the program's template keys.
    const options = (list: string) => page.locator(`#list-${list} option`).evaluateAll((os) => os.map((o) => `${(o as HTMLOptionElement).value}|${(o as HTMLOptionElement).label}`));
    expect(await options('fact')).toEqual(expect.arrayContaining(['event|event', 'referrer|referrer', 'eventCount|eventCount']));
    expect(await options('operator')).toContain('greaterThanInclusive|greater than or equal (greaterThanInclusive)');
    expect(await options('operator')).toContain('not:equal|not: equal (not:equal)');
    expect(await options('template')).toContain('spring-promo|spring-promo');

    // Insert puts the name, quoted, at the caret: replace the bad key and operator from the keyboard.
    await editor.focus();
    const at = (needle: string) => editor.evaluate((el, n) => {
      const ta = el as HTMLTextAreaElement;
      const i = ta.value.indexOf(n);
      ta.setSelectionRange(i, i + n.length);
    }, needle);
    await at('"Spring Promo"');
    await page.getByLabel('Template', { exact: true }).focus();
    await page.keyboard.type('spring-promo');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Insert template');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-rules');
    await editor.focus();
    await at('"isAbout"');
    await page.getByLabel('Operator', { exact: true }).focus();
    await page.keyboard.type('equal');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const fixed = (await editor.inputValue()).replace('{ "condition": "nope" }', '{ "all": [{ "fact": "event", "path": "$.type", "operator": "equal", "value": "signup" }] }');
    await retype(editor, fixed);
    expect(fixed).toContain('"template": "spring-promo"');
    expect(fixed).toContain('"operator": "equal"');
    await press(main().getByRole('button', { name: 'Save rules' }));
    expect(await status()).toContain('Saved version 1');

    // The dry run's explanation names operators in words.
    await retype(page.getByLabel('Rules (JSON)'), fixed.replace('"operator": "equal", "value": "purchase"', '"operator": "greaterThanInclusive", "value": "purchase"'));
    await retype(page.getByLabel('Event (JSON)'), '{ "type": "purchase" }');
    await press(main().getByRole('button', { name: 'Dry run' }));
    expect(await page.locator('#result').textContent()).toContain('greater than or equal (greaterThanInclusive)');
    await shoot('rules-completion');
  });

  it('ran without script errors or blocked content', () => {
    expect(pageErrors).toEqual([]);
  });
});
