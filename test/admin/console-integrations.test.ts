import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { fitsWidth, screenshot, type HttpServer, PHONE, DESKTOP, openConsole, photographBothWidths } from './browser.ts';

// Settings → Integrations as a program manager meets it, from the keyboard
// alone: a plain SMTP server on loopback that takes a login only without
// encryption (a relay on a trusted network), and a DNS server on loopback
// whose records decide whether the From is believed.

const PASSWORD = 'relay password 42';

describe('Integrations page in Chromium', () => {
  let h: Harness;
  let smtp: TestSmtpServer;
  let dns: TestDnsServer;
  let http: HttpServer;
  let browser: Browser;
  let page: Page;
  let apiKey: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer({ mode: 'plain', auth: { username: 'mailer@acme.test', password: PASSWORD }, allowInsecureAuth: true });
    dns = await startDnsServer({
      // The username's domain lists another network: the loopback server is not covered, and there is no DMARC.
      'acme.test': { TXT: [['v=spf1 ip4:192.0.2.0/24 -all']] },
      // A domain that lists the loopback server and publishes DMARC.
      'news.test': { TXT: [['v=spf1 ip4:127.0.0.0/8 -all']] },
      '_dmarc.news.test': { TXT: [['v=DMARC1; p=quarantine']] },
    });
    h = await createHarness('sqlite', { env: { ALLOW_PRIVATE_SMTP_HOSTS: 'true', SMTP_PORTS: `${smtp.port},25,465,587`, DNS_RESOLVER: dns.server } });
    apiKey = (await h.tenant('Acme')).apiKey;
    ({ http, browser, page } = await openConsole(h, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
    await smtp?.close();
    await dns?.close();
  });

  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || '');
  /** Moves focus with Tab (at most 40 presses) until the control with this id has it. */
  async function tabTo(id: string) {
    for (let i = 0; i < 40; i++) {
      if ((await focused()) === id) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached #${id} (focus is on ${await focused()})`);
  }
  async function tabToText(text: string) {
    for (let i = 0; i < 40; i++) {
      if ((await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '')) === text) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached "${text}"`);
  }
  async function typeInto(id: string, text: string) {
    await tabTo(id);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    if (text) await page.keyboard.type(text);
  }
  async function pressButton(name: string) {
    const button = page.getByRole('button', { name, exact: true });
    await button.focus();
    await page.keyboard.press('Enter');
  }
  const smtpSection = () => page.locator('#smtp');
  const isOpen = () => smtpSection().evaluate((el: HTMLDetailsElement) => el.open);

  it('signs in and finds the SMTP section open, with the three security labels and the Reply-To card', async () => {
    await page.goto(`${http.url}/admin/sign-in?next=/admin/settings/integrations`);
    await page.keyboard.press('Tab');
    await page.keyboard.type(apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    expect(await isOpen()).toBe(true);
    expect(await page.getByLabel('Security').locator('option').allTextContents()).toEqual(['None', 'STARTTLS', 'SSL/TLS']);
    expect(await page.getByRole('heading', { name: 'Replies to the built-in sender' }).count()).toBe(1);
    expect(await page.getByLabel('From address of every email').getAttribute('aria-describedby')).toBe('f-testFromAddress-hint');
    expect(await page.locator('#f-testFromAddress-hint').textContent()).toContain('Every email sent through this server carries this From');
  });

  it('suggests the usual port when Security changes, from the keyboard', async () => {
    await typeInto('f-host', '127.0.0.1');
    await tabTo('f-security');
    // STARTTLS is chosen; one step down is SSL/TLS, then back up twice to None.
    await page.keyboard.press('ArrowDown');
    expect(await page.getByLabel('Security').inputValue()).toBe('ssl');
    expect(await page.getByLabel('Port').inputValue()).toBe('465');
    expect(await page.locator('#port-note').textContent()).toBe('Port set to 465, the usual port for SSL/TLS.');
    await page.keyboard.press('ArrowUp');
    expect(await page.getByLabel('Port').inputValue()).toBe('587');
    expect(await page.locator('#port-note').textContent()).toBe('Port set to 587, the usual port for STARTTLS.');
    // None keeps whatever port is there.
    await page.keyboard.press('ArrowUp');
    expect(await page.getByLabel('Security').inputValue()).toBe('none');
    expect(await page.getByLabel('Port').inputValue()).toBe('587');
  });

  it('refuses a login without encryption once, at the checkbox that allows it', async () => {
    await typeInto('f-port', String(smtp.port));
    await typeInto('f-username', 'mailer@acme.test');
    await typeInto('f-password', PASSWORD);
    await pressButton('Connect');
    await page.locator('#f-allowPlaintextAuth-error').waitFor();
    expect(await page.locator('#f-allowPlaintextAuth-error').textContent()).toContain('Refusing to send the password without encryption: choose STARTTLS or SSL/TLS. (plaintext_credentials_refused)');
    expect(await page.getByLabel('Allow an unencrypted login').getAttribute('aria-describedby')).toBe('f-allowPlaintextAuth-hint f-allowPlaintextAuth-error');
    expect(await page.getByLabel('Allow an unencrypted login').getAttribute('aria-invalid')).toBe('true');
    // Once: no banner repeats it.
    expect(await page.getByText('Refusing to send the password without encryption').count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    // What was typed is kept (never the password), None included.
    expect(await page.getByLabel('Security').inputValue()).toBe('none');
    expect(await page.getByLabel('Username').inputValue()).toBe('mailer@acme.test');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.content()).not.toContain(PASSWORD);
  });

  it('connects with the unencrypted login allowed, keeps that choice, and warns about the From the server would use', async () => {
    await tabTo('f-allowPlaintextAuth');
    await page.keyboard.press('Space');
    await typeInto('f-password', PASSWORD);
    await pressButton('Connect');
    await expect.poll(() => smtpSection().getByRole('status').first().textContent()).toContain(`Connected to 127.0.0.1:${smtp.port}.`);
    expect(await page.getByLabel('Allow an unencrypted login').isChecked()).toBe(true);
    // The tenant's server is in use: no Reply-To card.
    expect(await page.getByRole('heading', { name: 'Replies to the built-in sender' }).count()).toBe(0);

    const fromInUse = page.getByRole('region', { name: 'From address in use' });
    expect(await fromInUse.textContent()).toContain('goes out From mailer@acme.test (the username, as no From address is set)');
    const warnings = await fromInUse.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code')));
    expect(warnings).toEqual(['spf_not_covering', 'dmarc_missing']);
    expect(await fromInUse.textContent()).toContain('The SPF record of acme.test does not list 127.0.0.1');
  });

  it('reconnects to change one field (the From) without retyping the password or the checkbox', async () => {
    await page.reload();
    expect(await page.getByLabel('Allow an unencrypted login').isChecked()).toBe(true);
    await typeInto('f-testFromAddress', 'rewards@news.test');
    await pressButton('Connect');
    await expect.poll(() => smtpSection().getByRole('status').first().textContent()).toContain('Connected to');
    const fromInUse = page.getByRole('region', { name: 'From address in use' });
    expect(await fromInUse.textContent()).toContain('goes out From rewards@news.test (the From address above)');
    // SPF and DMARC are in place for news.test; what is left is the login's other domain.
    expect(await fromInUse.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code')))).toEqual(['from_domain_differs']);
    expect((await h.request('GET', '/v1/settings/email', { token: apiKey })).body.smtp).toMatchObject({ allowPlaintextAuth: true, testFromAddress: 'rewards@news.test', security: 'none' });
  });

  it('sends a test email and says which From it carried', async () => {
    await typeInto('f-to', 'ops@example.com');
    await pressButton('Send test email');
    await expect.poll(() => page.getByText('Test email sent to ops@example.com From rewards@news.test.').count()).toBe(1);
    await expect.poll(() => smtp.messages.length).toBe(1);
    expect(smtp.messages[0]).toMatchObject({ from: 'rewards@news.test', to: ['ops@example.com'], secure: false, user: 'mailer@acme.test' });
    await photographBothWidths(page, 'integrations-connected');
  });

  it('folds the section once connected with nothing to do, and shows the Reply-To card again after going back', async () => {
    await typeInto('f-username', 'mailer@news.test');
    // Changing the username needs the password again: the saved one belongs to the other login.
    await pressButton('Connect');
    await page.locator('#f-password-error').waitFor();
    expect(await page.locator('#f-password-error').textContent()).toBe('is required with a username');

    // The tenant fixes its DNS and sends From its login's own address.
    dns.zone['acme.test'] = { TXT: [['v=spf1 a:relay.acme.test -all']] };
    dns.zone['relay.acme.test'] = { A: ['127.0.0.1'] };
    dns.zone['_dmarc.acme.test'] = { TXT: [['v=DMARC1; p=reject']] };
    await typeInto('f-username', 'mailer@acme.test');
    await typeInto('f-testFromAddress', '');
    await pressButton('Connect');
    await expect.poll(() => smtpSection().getByRole('status').first().textContent()).toContain('Connected to');
    expect(await page.getByRole('region', { name: 'From address in use' }).textContent()).toContain('SPF and DMARC in place');

    // Nothing to do: the next visit shows the section folded, its summary saying it is connected.
    await page.goto(`${http.url}/admin/settings/integrations`);
    expect(await isOpen()).toBe(false);
    expect(await smtpSection().locator('summary').textContent()).toBe('Custom SMTP mail server Connected');
    expect(await page.getByRole('region', { name: 'Sender in use' }).textContent()).toContain('From mailer@acme.test');
    await photographBothWidths(page, 'integrations-folded');

    // Settings' "Change the mail server" link opens it; so does the keyboard.
    await page.goto(`${http.url}/admin/settings`);
    await tabToText('Change the mail server');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    expect(await isOpen()).toBe(true);
    await smtpSection().locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await isOpen()).toBe(false);
    await page.keyboard.press('Enter');
    expect(await isOpen()).toBe(true);
    await pressButton('Use the built-in sender');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('built-in sender carries');
    expect(await page.getByRole('heading', { name: 'Replies to the built-in sender' }).count()).toBe(1);
    expect(await isOpen()).toBe(true);
    await page.setViewportSize(PHONE);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'integrations-builtin');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'integrations-builtin');
  });

  it('ran without script errors or blocked content', () => {
    expect(pageErrors).toEqual([]);
  });
});
