import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { localhostCert } from '../support/certs.ts';
import { insertEmailOnce } from '../../runtime/store/email-queries.ts';
import { fitsWidth, launchChromium, screenshot, serveHarness, type HttpServer, recordPageErrors, PHONE, DESKTOP, photographBothWidths } from './browser.ts';

// The admin console in real headless Chromium, driven the way a person
// would: by the labels and names on screen. One tenant, one browser session,
// steps in order (sign in, mail server, emails, rules, other settings).

const PASSWORD = 'correct horse battery staple';

// Line 9 holds the mistake: an operator that does not exist.
const BAD_RULES = `{
  "rules": [
    {
      "name": "referrer-bonus",
      "conditions": {
        "all": [
          { "fact": "event", "path": "$.type", "operator": "equal", "value": "purchase" },
          { "fact": "event", "path": "$.data.amount", "operator": "greaterThanInclusive", "value": 50 },
          { "fact": "referrer", "operator": "isAbout", "value": null }
        ]
      },
      "event": { "type": "reward", "params": { "kind": "cash", "amount": 25, "currency": "USD", "to": "referrer", "description": "Referral bonus" } }
    },
    {
      "name": "thank-you",
      "conditions": { "any": [{ "fact": "event", "path": "$.type", "operator": "in", "value": ["purchase", "signup"] }] },
      "event": { "type": "email", "params": { "template": "email-action", "to": "participant", "data": { "message": "Thanks!" } } }
    }
  ]
}`;
const GOOD_RULES = BAD_RULES.replace('"isAbout"', '"notEqual"');

describe('admin console in Chromium', () => {
  let h: Harness;
  let smtp: TestSmtpServer;
  let dns: TestDnsServer;
  let http: HttpServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let apiKey: string;
  let programId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const cert = localhostCert();
    smtp = await startSmtpServer({ mode: 'starttls', cert, auth: { username: 'mailer', password: PASSWORD } });
    dns = await startDnsServer({});
    h = await createHarness('sqlite', {
      env: { ALLOW_PRIVATE_SMTP_HOSTS: 'true', SMTP_PORTS: `${smtp.port},587`, DNS_RESOLVER: dns.server },
      smtpCa: [cert.cert],
    });
    apiKey = (await h.tenant('Acme')).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: apiKey, body: { name: 'Friends' } })).body.id;
    await h.request('PUT', '/v1/participants/alice', { token: apiKey, body: { email: 'alice@example.com', firstName: 'Alice' } });
    await h.request('PUT', '/v1/participants/bob', { token: apiKey, body: { email: 'bob@example.com', firstName: 'Bob', referredBy: 'alice' } });
    http = await serveHarness(h);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    // A CSP violation, a script error or a missing asset shows up here; the console should have none.
    // (A form answered 4xx with the form filled in is expected: only the page's other requests count.)
    recordPageErrors(page, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
    await smtp?.close();
    await dns?.close();
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const tab = (name: string) => page.getByRole('main').getByRole('navigation').getByRole('link', { name, exact: true });

  it('sends a stranger to sign in, refuses a wrong key and signs in with the API key', async () => {
    await page.goto(`${http.url}/admin/settings/integrations`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.setViewportSize(PHONE);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'sign-in');
    await page.setViewportSize(DESKTOP);
    await page.getByLabel('API key').fill('ar_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That API key is not valid');

    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/settings/integrations');

    const session = (await context.cookies()).find((c) => c.name === 'ar_admin')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin', secure: false });
    expect(session.value).not.toContain(apiKey);
  });

  it('shows the reason a Connect failed, keeping what was typed but not the password', async () => {
    await nav('Settings').click();
    await tab('Integrations').click();
    // Open: no server is connected yet, so the form is the page's business.
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Security').selectOption({ label: 'STARTTLS' });
    await page.getByLabel('Port').fill(String(smtp.port));
    await page.getByLabel('Username').fill('mailer');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Connect' }).click();

    // Told once, at the field it concerns.
    const password = page.getByLabel('Password');
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    const problem = page.locator('#f-password-error');
    expect(await problem.textContent()).toContain('The server refused the username or password.');
    expect(await problem.textContent()).toContain('auth_failed');
    expect(await page.getByText('The server refused the username or password.').count()).toBe(1);
    expect(await page.getByLabel('Host').inputValue()).toBe('127.0.0.1');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.content()).not.toContain('not the password');
  });

  it('connects the SMTP server on loopback and sends a test email that arrives', async () => {
    await page.getByLabel('From address of every email').fill('hello@acme.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.locator('#smtp').getByRole('status').first().textContent()).toContain('Connected');
    // The saved password never comes back to the page.
    expect(await page.content()).not.toContain(PASSWORD);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await screenshot(page, 'integrations');

    await page.getByLabel('Send to').fill('ops@example.com');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await expect.poll(() => page.getByText('Test email sent to ops@example.com').count()).toBe(1);
    await expect.poll(() => smtp.messages.length).toBe(1);
    expect(smtp.messages[0]).toMatchObject({ from: 'hello@acme.test', to: ['ops@example.com'], secure: true, user: 'mailer' });

    await page.setViewportSize(PHONE);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'integrations');
    await page.setViewportSize(DESKTOP);
  });

  it('finds the test email in the email log with its status, attempts and last answer', async () => {
    await nav('Emails').click();
    await page.getByLabel('Type').selectOption('smtp-test');
    await page.getByLabel('Status').selectOption('sent');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('type')).toBe('smtp-test');
    const row = page.getByRole('row').filter({ hasText: 'ops@example.com' });
    expect(await row.count()).toBe(1);
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[4]).toBe('sent');
    expect(cells[5]).toBe('1');
    expect(cells[6]).toMatch(/^250/);
    await photographBothWidths(page, 'emails');

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Delivery' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('ops@example.com');
  });

  it('retries a failed email from the log', async () => {
    const tenantId = (await h.services.store.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
    const now = h.clock.now().toISOString();
    await insertEmailOnce(h.services.store.db, {
      id: 'failed-1', tenant_id: tenantId, program_id: programId, participant_id: 'bob', idempotency_key: 'failed-1', type: 'email-action', template: 'email-action',
      to_address: 'bob@example.com', subject: 'News for you', html: '<p>Hi</p>', text: 'Hi', status: 'failed', attempts: 5, next_attempt_at: null, lease_until: null,
      last_response: '550 5.1.1 Mailbox unavailable', message_id: '<failed-1@acme.test>', sender: 'smtp', created_at: now, updated_at: now, sent_at: null,
    });
    await nav('Emails').click();
    // The outbox at a glance counts it, with a way to the failed ones.
    const outbox = page.getByRole('region', { name: 'Outbox' });
    expect(await outbox.textContent()).toMatch(/Failed\s*1/);
    expect(await outbox.getByRole('link', { name: 'Show the failed emails' }).getAttribute('href')).toBe('/admin/emails?status=failed');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.getByRole('row').filter({ hasText: 'bob@example.com' });
    expect(await row.getByRole('cell').nth(6).textContent()).toBe('550 5.1.1 Mailbox unavailable');
    await row.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The email to bob@example.com is queued again');
    // Back on the filtered list it is gone (queued now); the dispatcher delivers it through the tenant's server.
    expect(new URL(page.url()).searchParams.get('status')).toBe('failed');
    await h.services.dispatcher.drain();
    await expect.poll(() => smtp.messages.some((m) => m.to.includes('bob@example.com'))).toBe(true);
  });

  it('shows an email whose template failed with its reason, and offers the template instead of a retry', async () => {
    const tenantId = (await h.services.store.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
    const now = h.clock.now().toISOString();
    await insertEmailOnce(h.services.store.db, {
      id: 'tpl-failed-1', tenant_id: tenantId, program_id: programId, participant_id: 'bob', idempotency_key: 'tpl-failed-1', type: 'email-action', template: 'email-action',
      to_address: 'carol@example.com', subject: 'Not sent: the email-action template failed to render', html: '', text: '', status: 'failed', attempts: 0, next_attempt_at: null, lease_until: null,
      last_response: 'template_error: /html: the template renders more than 50,000 steps (a loop is too long), line:1, col:1', message_id: '<tpl-failed-1@acme.test>', sender: null, created_at: now, updated_at: now, sent_at: null,
    });
    await nav('Emails').click();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.getByRole('row').filter({ hasText: 'carol@example.com' });
    expect(await row.getByRole('cell').nth(6).textContent()).toMatch(/^template_error: \/html: /);
    expect(await row.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(await row.getByRole('link', { name: 'Fix template' }).getAttribute('href')).toBe(`/admin/programs/${programId}/templates/email-action`);
  });

  it('goes back to the built-in sender', async () => {
    await nav('Settings').click();
    await tab('Integrations').click();
    await page.getByRole('button', { name: 'Use the built-in sender' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('built-in sender carries');
    expect(await page.getByRole('region', { name: 'Sender in use' }).textContent()).toContain('The built-in sender carries');
    expect((await h.request('GET', '/v1/settings/email', { token: apiKey })).body.mode).toBe('builtin');
  });

  it('shows a rule error at its line, saves the fix, and dry-runs an event', async () => {
    await nav('Programs').click();
    await page.getByRole('link', { name: 'Rules', exact: true }).click();
    await page.getByRole('heading', { name: 'Rules of Friends' }).waitFor();

    const editor = page.getByLabel('Rules (JSON)');
    await editor.fill(BAD_RULES);
    await page.getByRole('button', { name: 'Save rules' }).click();
    const problems = page.getByRole('list', { name: 'Problems in the rules' });
    await expect.poll(() => problems.textContent()).toContain('Line 9, column');
    expect(await problems.textContent()).toContain('unknown operator "isAbout"');
    const listing = page.getByRole('group', { name: 'The rules, with each problem under its line' });
    expect(await listing.locator('.ln.bad .no').allTextContents()).toEqual(['9']);
    expect(await listing.textContent()).toContain('↑ Line 9: unknown operator');
    // The text comes back as typed, and the link puts the caret on that line.
    expect(await editor.inputValue()).toBe(BAD_RULES);
    await problems.getByRole('link').first().click();
    const caretLine = await editor.evaluate((el: HTMLTextAreaElement) => el.value.slice(0, el.selectionStart).split('\n').length);
    expect(caretLine).toBe(9);
    await screenshot(page, 'rules-error');

    // A JSON mistake is placed too: the missing comma after line 4's value.
    await editor.fill(GOOD_RULES.replace('"referrer-bonus",', '"referrer-bonus"'));
    await page.getByRole('button', { name: 'Save rules' }).click();
    await expect.poll(() => problems.textContent()).toContain('Line 4, column 31: A comma is missing after this value');

    await editor.fill(GOOD_RULES);
    await page.getByRole('button', { name: 'Save rules' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved version 1');

    await page.getByLabel('Event (JSON)').fill('{\n  "type": "purchase",\n  "data": { "amount": 80 }\n}');
    await page.getByLabel('Participant (JSON)').fill('"bob"');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('heading', { name: 'Dry run result' }).waitFor();
    const fired = await page.getByRole('list', { name: 'Rules that fire' }).getByRole('listitem').allTextContents();
    expect(fired).toEqual(['referrer-bonus (reward)', 'thank-you (email)']);
    const result = page.locator('#result');
    expect(await result.textContent()).toContain('2 of 2 rules fire');
    expect(await result.locator('.leaf').first().textContent()).toMatch(/event \$\.type equal "purchase"\s*pass\s*was "purchase"/);
    await photographBothWidths(page, 'rules-dry-run');

    // An event the rules do not match: nothing fires, and the tree says why.
    await page.getByLabel('Event (JSON)').fill('{ "type": "purchase", "data": { "amount": 10 } }');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect.poll(() => result.textContent()).toContain('1 of 2 rules fire');
    // Operators read as words, with the JSON name the rules use.
    expect(await result.textContent()).toMatch(/\$\.data\.amount greater than or equal \(greaterThanInclusive\) 50\s*fail\s*was 10/);
  });

  it('keeps a version history and rolls back', async () => {
    await page.getByLabel('Rules (JSON)').fill(GOOD_RULES.replace('"amount": 25', '"amount": 30'));
    await page.getByRole('button', { name: 'Save rules' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved version 2');
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Version 1 is active again');
    expect(await page.getByLabel('Rules (JSON)').inputValue()).toContain('"amount": 25');
    const rule = await h.request('GET', `/v1/programs/${programId}/rules`, { token: apiKey });
    expect(rule.body.version).toBe(1);
  });

  it('edits a template with a preview from sample data', async () => {
    await tab('Templates').click();
    await page.getByRole('link', { name: 'Edit reward', exact: true }).click();
    await page.getByLabel('Subject').fill('{{ participant.firstName }}, you earned {{ reward.amountFormatted }}');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByRole('definition').first().textContent()).toBe('Ada, you earned $25.00');
    const frame = page.frameLocator('iframe[title="HTML preview"]');
    expect(await frame.locator('body').textContent()).toContain('You earned $25.00');
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Template saved');

    // A template cannot read a file: the editor keeps what was typed and says why at the field.
    await page.getByLabel('HTML').fill(`<p>{% include 'SECRET_KEY' %}</p>`);
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.getByText('the {% include %} tag is not allowed', { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.getByLabel('HTML').inputValue()).toBe(`<p>{% include 'SECRET_KEY' %}</p>`);
  });

  it('turns an email type off with its switch', async () => {
    await nav('Settings').click();
    await tab('Notifications').click();
    const reminder = page.getByRole('switch', { name: 'Payout reminder' });
    expect(await reminder.isChecked()).toBe(true);
    expect(await page.getByText('Reminds a participant with held rewards').count()).toBe(1);
    await reminder.uncheck();
    await page.getByRole('button', { name: 'Save notifications' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Off: Payout reminder');
    expect(await page.getByRole('switch', { name: 'Payout reminder' }).isChecked()).toBe(false);
    const settings = await h.request('GET', '/v1/settings/email', { token: apiKey });
    expect(settings.body.notifications.payoutReminder).toBe(false);
  });

  it('sets a custom domain, lists its DNS records and verifies them', async () => {
    await tab('Custom domain').click();
    await page.getByLabel('Domain').fill('mail.acme.test');
    await page.getByLabel('From address').fill('rewards@mail.acme.test');
    await page.getByRole('button', { name: 'Save domain' }).click();
    await expect.poll(() => page.getByText('Waiting for DNS').count()).toBeGreaterThan(0);
    const dkimRow = page.getByRole('row').filter({ hasText: '_domainkey' });
    const [, name, value] = await dkimRow.getByRole('cell').allTextContents();
    expect(value).toMatch(/^v=DKIM1; k=rsa; p=/);
    expect(await page.getByLabel('All records, zone-file format').inputValue()).toContain(`${name}. 3600 IN TXT "v=DKIM1`);

    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Not verified');

    dns.zone[name] = { TXT: [value.match(/.{1,255}/g)!] };
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Verified');
    await screenshot(page, 'custom-domain');
  });

  it('finds a participant by email with rewards, W-9 and payout status', async () => {
    await h.request('POST', `/v1/programs/${programId}/events`, { token: apiKey, body: { id: 'evt-1', type: 'purchase', participantId: 'bob', data: { amount: 80 } } });
    await nav('Participants').click();
    await page.getByLabel('Participant id or email').fill('ALICE@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    const card = page.getByRole('region', { name: 'Participant alice' });
    await card.waitFor();
    const text = await card.textContent();
    expect(text).toContain('$25.00');
    expect(text).toContain('referrer-bonus');
    expect(text).toContain('Not needed yet');
    expect(text).toContain('Details missing');
    await page.setViewportSize(PHONE);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'participants');
    await page.setViewportSize(DESKTOP);
  });

  it('rotates the webhook secret and adds and revokes a second API key', async () => {
    await nav('Settings').click();
    await tab('Keys and secrets').click();
    const secrets = page.getByRole('region', { name: 'Webhook secrets' });
    expect(await secrets.getByRole('row').count()).toBe(2); // the header and the one secret
    await secrets.getByRole('button', { name: 'Create a new webhook secret' }).click();
    const shown = (await page.locator('#new-credential').textContent())!;
    expect(shown).toMatch(/^whsec_/);
    // Shown once: a reload lists it by its first characters only.
    await page.goto(`${http.url}/admin/settings/credentials`);
    expect(await page.getByRole('main').textContent()).not.toContain(shown);
    const rows = page.getByRole('region', { name: 'Webhook secrets' }).getByRole('row');
    expect(await rows.count()).toBe(3);
    const old = rows.filter({ hasNotText: shown.slice(0, 10) }).filter({ has: page.getByRole('button', { name: /Revoke/ }) });
    await old.getByRole('button', { name: /Revoke/ }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The webhook secret is revoked');
    const left = await h.request('GET', '/v1/settings/credentials', { token: apiKey });
    expect(left.body.webhookSecrets.map((s: any) => s.hint)).toEqual([`${shown.slice(0, 10)}…`]);

    const keys = page.getByRole('region', { name: 'API keys' });
    await keys.getByRole('button', { name: 'Create a new API key' }).click();
    const newKey = (await page.locator('#new-credential').textContent())!;
    expect((await h.request('GET', '/v1/programs', { token: newKey })).status).toBe(200);
    // Revoke the new one (the console is signed in with the first).
    await page.getByRole('button', { name: `Revoke the API key starting ${newKey.slice(0, 7)}…` }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The API key is revoked');
    expect((await h.request('GET', '/v1/programs', { token: newKey })).status).toBe(401);
    // The one left is rotated, not revoked (test/admin/console-webhooks.test.ts rotates it).
    expect(await page.getByRole('region', { name: 'API keys' }).getByRole('button', { name: /^Rotate the API key starting / }).count()).toBe(1);
  });

  it('fits a phone screen on every page', async () => {
    await page.setViewportSize(PHONE);
    const paths = ['/admin/settings', '/admin/settings/integrations', '/admin/settings/custom-domain', '/admin/settings/notifications', '/admin/settings/credentials', '/admin/programs', `/admin/programs/${programId}/rules`, `/admin/programs/${programId}/templates`, `/admin/programs/${programId}/templates/reward`, '/admin/emails', '/admin/participants?q=bob'];
    for (const path of paths) {
      await page.goto(`${http.url}${path}`);
      expect({ path, fits: await fitsWidth(page) }).toEqual({ path, fits: true });
    }
    await page.setViewportSize(DESKTOP);
  });

  it('works from the keyboard alone', async () => {
    const fresh = await browser.newContext({ viewport: DESKTOP });
    const kb = await fresh.newPage();
    await kb.goto(`${http.url}/admin`);
    await kb.keyboard.press('Tab');
    expect(await kb.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('apiKey');
    await kb.keyboard.type(apiKey);
    await kb.keyboard.press('Enter');
    await kb.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();

    // Skip link first, then the header's button, then the main navigation.
    await kb.keyboard.press('Tab');
    expect(await kb.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const reached: string[] = [];
    for (let i = 0; i < 7; i++) {
      await kb.keyboard.press('Tab');
      reached.push((await kb.evaluate(() => document.activeElement?.textContent?.trim())) ?? '');
    }
    expect(reached).toEqual(['Sign out', 'Settings', 'Programs', 'Emails', 'Participants', 'Reviews', 'Integrations']);
    // Focus is visible: the focused link draws an outline.
    expect(await kb.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await kb.keyboard.press('Enter');
    await kb.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();

    // The SMTP section is open (no server is connected), its fields next in order; it folds and opens from the keyboard.
    const isOpen = () => kb.locator('#smtp').evaluate((el: HTMLDetailsElement) => el.open);
    expect(await isOpen()).toBe(true);
    await kb.locator('#smtp summary').focus();
    await kb.keyboard.press('Tab');
    expect(await kb.evaluate(() => document.activeElement?.id)).toBe('f-host');
    await kb.locator('#smtp summary').focus();
    await kb.keyboard.press('Space');
    expect(await isOpen()).toBe(false);
    await kb.keyboard.press('Enter');
    expect(await isOpen()).toBe(true);
    await fresh.close();
  });

  it('signs out', async () => {
    await page.goto(`${http.url}/admin/settings`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('You are signed out');
    await page.goto(`${http.url}/admin/emails`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
  });

  it('ran without script errors or blocked content', () => {
    expect(pageErrors).toEqual([]);
  });
});
