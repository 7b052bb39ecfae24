import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { sha256Hex } from '../../runtime/security/hashing.ts';

// Sign-out ends the session on the server: a cookie copied before (another
// tab, a stolen copy) is refused afterwards, not valid until it expires.

describe.each(DIALECTS)('console sign-out on %s', (dialect) => {
  let h: Harness;
  let apiKey: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ apiKey } = await h.tenant('Acme'));
  });
  afterAll(() => h?.close());

  const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));

  async function signIn() {
    const page = await h.app.request('/admin/sign-in');
    const pre = cookieOf(page, 'ar_admin_pre')!.split(';')[0];
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const res = await h.app.request('/admin/sign-in', {
      method: 'POST',
      headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, apiKey, next: '/admin/emails' }),
    });
    expect(res.status).toBe(303);
    const cookie = cookieOf(res, 'ar_admin')!.split(';')[0];
    const settings = await h.app.request('/admin/settings/notifications', { headers: { cookie } });
    expect(settings.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await settings.text())![1];
    return { cookie, csrf };
  }
  const open = (cookie: string) => h.app.request('/admin/settings', { headers: { cookie } });
  const signOut = (cookie: string, csrf: string) =>
    h.app.request('/admin/sign-out', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf }) });

  it('refuses a copied cookie after sign-out', async () => {
    const { cookie, csrf } = await signIn();
    const copy = cookie;
    expect((await open(copy)).status).toBe(200);

    const out = await signOut(cookie, csrf);
    expect(out.status).toBe(303);
    expect(cookieOf(out, 'ar_admin')).toMatch(/Max-Age=0/);

    const replay = await open(copy);
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/admin/sign-in?next=%2Fadmin%2Fsettings');
    // Not a way back in either: the sign-in page shows the form rather than skipping to the console.
    const form = await h.app.request('/admin/sign-in', { headers: { cookie: copy } });
    expect(form.status).toBe(200);
    // And a write with the copied cookie and its form token is refused before it runs.
    const write = await h.app.request('/admin/sign-out', { method: 'POST', headers: { cookie: copy, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf }) });
    expect(write.status).toBe(303);
    expect(write.headers.get('location')).toBe('/admin/sign-in');
  });

  it('ends only the session signed out: another sign-in of the same tenant stays', async () => {
    const first = await signIn();
    const second = await signIn();
    expect((await signOut(first.cookie, first.csrf)).status).toBe(303);
    expect((await open(first.cookie)).status).toBe(303);
    expect((await open(second.cookie)).status).toBe(200);
  });

  it('stores only the SHA-256 of the session id', async () => {
    const { cookie } = await signIn();
    const sealed = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
    const { sid } = JSON.parse(await h.services.secrets.open(sealed, { tenantId: 'admin-console', field: 'session' }));
    const rows = await h.services.store.db.selectFrom('admin_sessions').selectAll().execute();
    expect(rows.map((r) => r.id_hash)).toContain(await sha256Hex(sid));
    expect(JSON.stringify(rows)).not.toContain(sid);
  });

  it('refuses the session once it expires, record or not', async () => {
    const { cookie } = await signIn();
    h.clock.advance(8 * 3600 * 1000 + 1000);
    expect((await open(cookie)).status).toBe(303);
  });
});
