import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { referralRules } from '../api/fixtures.ts';

// The console's session and form protections, over app.request (no browser):
// what a forged, stale, cross-site or token-less request gets.

type Tenant = { id: string; apiKey: string };

describe('admin console sessions and forms', () => {
  let h: Harness;
  let acme: Tenant;
  let other: Tenant;
  let otherProgram: string;

  beforeAll(async () => {
    // Behind a proxy on loopback (TRUST_PROXY), as the sign-in limit and the Secure flag over HTTPS need.
    h = await createHarness('sqlite', { peer: '127.0.0.1', env: { TRUST_PROXY: '127.0.0.1' } });
    acme = await h.tenant('Acme');
    other = await h.tenant('Other');
    otherProgram = (await h.request('POST', '/v1/programs', { token: other.apiKey, body: { name: 'Theirs' } })).body.id;
  });
  afterAll(() => h.close());

  const form = (fields: Record<string, string>) => new URLSearchParams(fields);
  const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));

  /** Signs in the way the browser does: GET the form (token + cookie), POST it back. */
  async function signIn(apiKey: string, base = 'http://localhost') {
    const page = await h.app.request(`${base}/admin/sign-in`);
    const pre = cookieOf(page, 'ar_admin_pre')!.split(';')[0];
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const res = await h.app.request(`${base}/admin/sign-in`, {
      method: 'POST',
      headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ _csrf: token, apiKey, next: '/admin/emails' }),
    });
    return { res, pre, token };
  }

  async function session(apiKey: string) {
    const { res } = await signIn(apiKey);
    const cookie = cookieOf(res, 'ar_admin')!.split(';')[0];
    const page = await h.app.request('/admin/settings/notifications', { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    return { cookie, csrf };
  }

  it('limits sign-in attempts per client, then refuses even the right key for a while', async () => {
    const attempt = async (apiKey: string) => {
      const page = await h.app.request('/admin/sign-in');
      const pre = cookieOf(page, 'ar_admin_pre')!.split(';')[0];
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      return h.app.request('/admin/sign-in', {
        method: 'POST',
        headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' },
        body: form({ _csrf: token, apiKey }),
      });
    };
    for (let i = 0; i < 30; i++) expect((await attempt(`ar_guess_${i}`)).status).toBe(401);
    const blocked = await attempt(acme.apiKey);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('Too many sign-in attempts');
    expect((await signIn(acme.apiKey)).res.status).toBe(303);
  });

  it('sends a visitor without a session to sign in, remembering where they were going', async () => {
    const res = await h.app.request('/admin/emails?status=failed');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/sign-in?next=%2Fadmin%2Femails%3Fstatus%3Dfailed');
  });

  it('sets an HttpOnly, SameSite=Strict cookie scoped to /admin that does not reveal the key', async () => {
    const { res } = await signIn(acme.apiKey);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/emails');
    const cookie = cookieOf(res, 'ar_admin')!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/admin/);
    expect(cookie).not.toMatch(/; Secure/);
    expect(cookie).not.toContain(acme.apiKey);
  });

  it('marks the cookie Secure over HTTPS, directly or behind a proxy', async () => {
    expect(cookieOf((await signIn(acme.apiKey, 'https://console.example.com')).res, 'ar_admin')).toMatch(/; Secure/);
    const page = await h.app.request('/admin/sign-in', { headers: { 'x-forwarded-proto': 'https' } });
    expect(cookieOf(page, 'ar_admin_pre')).toMatch(/; Secure/);
  });

  it('refuses a sign-in post that did not come from the sign-in form', async () => {
    const res = await h.app.request('/admin/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ apiKey: acme.apiKey }),
    });
    expect(res.status).toBe(403);
    expect(cookieOf(res, 'ar_admin')).toBeUndefined();
  });

  it('answers a wrong key with 401 and no session', async () => {
    const { res } = await signIn('ar_wrong');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('That API key is not valid');
    expect(cookieOf(res, 'ar_admin')).toBeUndefined();
  });

  it('never redirects off the console after sign-in', async () => {
    const page = await h.app.request('/admin/sign-in?next=https://evil.example/');
    expect(await page.text()).toContain('name="next" value="/admin"');
    const pre = cookieOf(page, 'ar_admin_pre')!.split(';')[0];
    const again = await h.app.request('/admin/sign-in', { headers: { cookie: pre } });
    const token = /name="_csrf" value="([^"]+)"/.exec(await again.text())![1];
    for (const next of ['https://evil.example/', '//evil.example/admin', '/admin\\@evil.example', 'javascript:alert(1)']) {
      const res = await h.app.request('/admin/sign-in', {
        method: 'POST',
        headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ _csrf: token, apiKey: acme.apiKey, next }),
      });
      expect(res.headers.get('location')).toBe('/admin');
    }
  });

  it('refuses a form post without the session token, changing nothing', async () => {
    const { cookie } = await session(acme.apiKey);
    const res = await h.app.request('/admin/settings/notifications', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ reward: 'on' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('text/html');
    const settings = await h.request('GET', '/v1/settings/email', { token: acme.apiKey });
    expect(settings.body.notifications.emailAction).toBe(true);
  });

  it('refuses a post another site made, even with the token', async () => {
    const { cookie, csrf } = await session(acme.apiKey);
    const res = await h.app.request('/admin/settings/notifications', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: form({ _csrf: csrf }),
    });
    expect(res.status).toBe(403);
    expect((await h.request('GET', '/v1/settings/email', { token: acme.apiKey })).body.notifications.reward).toBe(true);
  });

  it('accepts the same post from the console itself', async () => {
    const { cookie, csrf } = await session(acme.apiKey);
    const res = await h.app.request('/admin/settings/notifications', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: form({ _csrf: csrf, reward: 'on', emailAction: 'on', verification: 'on', passwordReset: 'on', w9Notice: 'on' }),
    });
    expect(res.status).toBe(303);
    expect((await h.request('GET', '/v1/settings/email', { token: acme.apiKey })).body.notifications).toMatchObject({ payoutReminder: false, reward: true });
  });

  it('treats a forged or expired session as signed out', async () => {
    const { cookie } = await session(acme.apiKey);
    const forged = cookie.slice(0, -4) + (cookie.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await h.app.request('/admin/settings', { headers: { cookie: forged } })).status).toBe(303);
    expect((await h.app.request('/admin/settings', { headers: { cookie } })).status).toBe(200);
    h.clock.advance(9 * 3600 * 1000);
    try {
      const res = await h.app.request('/admin/settings', { headers: { cookie } });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/admin\/sign-in/);
    } finally {
      h.clock.advance(-9 * 3600 * 1000);
    }
  });

  it("shows only the signed-in tenant's data", async () => {
    const { cookie } = await session(acme.apiKey);
    const res = await h.app.request(`/admin/programs/${otherProgram}/rules`, { headers: { cookie } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('Theirs');
  });

  it("decides no review of another tenant's reward, and shows no backtest of another tenant", async () => {
    // Each tenant with one referrer bonus held for review by the `blocked` check.
    const held = async (t: Tenant) => {
      const as = { token: t.apiKey };
      const program = (await h.request('POST', '/v1/programs', { ...as, body: { name: 'Held', settings: { referralChecks: { blocked: { outcome: 'review' } } } } })).body.id;
      await h.request('PUT', `/v1/programs/${program}/rules`, { ...as, body: referralRules });
      await h.request('PUT', '/v1/referral-blocks', { ...as, body: { blocks: ['blocked.example'] } });
      await h.request('PUT', '/v1/participants/ref', { ...as, body: { email: 'ref@example.com' } });
      await h.request('PUT', '/v1/participants/p', { ...as, body: { email: 'p@blocked.example', referredBy: 'ref' } });
      const event = await h.request('POST', `/v1/programs/${program}/events`, { ...as, body: { id: 'buy', type: 'purchase', participantId: 'p', data: { amount: 60 } } });
      return { program, reward: event.body.rewards[0].id as string };
    };
    const mine = await held(acme);
    const theirs = await held(other);
    const { cookie, csrf } = await session(acme.apiKey);
    const post = (path: string, fields: Record<string, string>) =>
      h.app.request(path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ _csrf: csrf, ...fields }) });

    // A forged confirmation naming both: only Acme's is denied; the other is "not found", untouched.
    const res = await post('/admin/reviews/do', { decision: 'deny', rewardIds: `${mine.reward},${theirs.reward}`, key: 'k1' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Denied: 1 of 2');
    expect(html).toContain('not found');
    expect((await h.request('GET', `/v1/rewards/${theirs.reward}`, { token: other.apiKey })).body).toMatchObject({ status: 'pending', pendingReasons: expect.arrayContaining(['review']) });
    expect((await h.request('GET', `/v1/rewards/${mine.reward}`, { token: acme.apiKey })).body.status).toBe('cancelled');
    // A confirmation page does not show another tenant's reward either.
    const confirm = await (await post('/admin/reviews/confirm', { one: `approve:${theirs.reward}` })).text();
    expect(confirm).toContain('Not in the queue any more');
    expect(confirm).not.toContain('rule referrer-bonus');
    // More selected rewards than the API decides at once: refused before any call.
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`pick.r${i}`, 'on']));
    expect((await post('/admin/reviews/confirm', { decision: 'approve', ...many })).status).toBe(422);

    const backtest = await h.request('POST', `/v1/programs/${theirs.program}/backtests`, { token: other.apiKey, body: { version: 1, from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' } });
    expect(backtest.status).toBe(202);
    expect((await h.app.request(`/admin/programs/${theirs.program}/backtests`, { headers: { cookie } })).status).toBe(404);
    expect((await h.app.request(`/admin/programs/${mine.program}/backtests/${backtest.body.id}`, { headers: { cookie } })).status).toBe(404);
  });

  it('serves pages that run only their own script and cannot be framed or cached', async () => {
    const { cookie } = await session(acme.apiKey);
    const program = (await h.request('POST', '/v1/programs', { token: acme.apiKey, body: { name: 'Mine' } })).body.id;
    const res = await h.app.request(`/admin/programs/${program}/rules`, { headers: { cookie } });
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('signs out by forgetting the cookie', async () => {
    const { cookie, csrf } = await session(acme.apiKey);
    const res = await h.app.request('/admin/sign-out', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ _csrf: csrf }),
    });
    expect(res.status).toBe(303);
    expect(cookieOf(res, 'ar_admin')).toMatch(/Max-Age=0/);
  });
});
