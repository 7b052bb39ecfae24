import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { Harness } from '../support/app-harness.ts';
import { serveHarness, type HttpServer } from '../support/serve-harness.ts';

// The console's browser tests run Debian's Chromium (installed by
// .ci/install-chromium.sh) through playwright-core against the real app
// served over HTTP on loopback.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run .ci/install-chromium.sh (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export { serveHarness, type HttpServer };

/**
 * The real app served on loopback and a desktop Chromium page on it that
 * records into `errors` what a console page must never do. The caller closes
 * the browser and the server (then the harness) after its tests.
 */
export async function openConsole(h: Harness, errors: string[]): Promise<{ http: HttpServer; browser: Browser; page: Page }> {
  const http = await serveHarness(h);
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  recordPageErrors(page, errors);
  return { http, browser, page };
}

/**
 * Screenshots go to docs/screenshots only when asked (UPDATE_SCREENSHOTS=1),
 * so an ordinary test run leaves the working tree alone; they are taken
 * either way, which also proves every page renders at both widths.
 */
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL('../../docs/screenshots', import.meta.url)) : join(tmpdir(), 'advocate-console-screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** True when nothing on the page is wider than the viewport (no sideways scrolling of the page itself). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/**
 * Records what a console page must never do into `errors` (each test file
 * ends by expecting it empty): a script error, a console error (a CSP
 * refusal is one), or a failed sub-request. A page answering 4xx itself is
 * what some tests ask for, so documents are left out.
 */
export function recordPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && r.request().resourceType() !== 'document' && errors.push(`${r.status()} ${r.url()}`));
}

/** Signs in with an API key through the console's own form, from the keyboard, landing on `url` (its h1 `heading`). */
export async function signInAt(page: Page, url: string, apiKey: string, heading: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API key').focus();
  await page.keyboard.type(apiKey);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** The two widths every console page is checked and photographed at. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/** Photographs the page at both widths, expecting it to fit the phone's, and leaves it at the desktop width. */
export async function photographBothWidths(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await page.setViewportSize(PHONE);
  expect(await fitsWidth(page)).toBe(true);
  await screenshot(page, name);
  await page.setViewportSize(DESKTOP);
}

/** Activates a link or button the way a keyboard user does, and waits for the page it leads to. */
export async function pressKey(page: Page, target: Locator): Promise<void> {
  await target.focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

/** Picks an option of a closed select with the arrow keys (at most 10 steps down). */
export async function chooseOption(page: Page, select: Locator, label: string): Promise<void> {
  const selected = () => select.evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0]?.label);
  await select.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 10 && (await selected()) !== label; i++) await page.keyboard.press('ArrowDown');
  expect(await selected()).toBe(label);
}
