import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExchanges } from '../support/openapi-check.ts';
import { createMailHarness, tokenLink, type MailHarness } from '../support/mail-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { notificationRules } from './notification-fixtures.ts';

// Email verification for microsites and widgets: the tenant's backend asks
// for the email, the participant confirms with the token from the link.

const HOUR = 3_600_000;

describe.each(DIALECTS)('email verification on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let programId: string;

  const participant = async (id: string) => {
    const res = await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com`, firstName: id } });
    expect(res.status).toBe(201);
  };
  const requestLink = async (id: string, body: Record<string, unknown> = {}) => {
    const res = await h.request('POST', `/v1/participants/${id}/verification`, { token: key, body });
    expect(res.status).toBe(202);
    const mails = (await h.inbox(`${id}@example.com`)).filter((m) => m.text.includes('/verify?token='));
    return { res, mail: mails[mails.length - 1], link: tokenLink(mails[mails.length - 1]) };
  };
  const confirm = (token: string, headers: Record<string, string> = {}) => h.request('POST', '/v1/verification/confirm', { body: { token }, headers });

  beforeAll(async () => {
    // Behind a proxy on loopback (TRUST_PROXY): the per-client limits key on the X-Forwarded-For it appends.
    h = await createMailHarness(dialect, { peer: '127.0.0.1', env: { TRUST_PROXY: '127.0.0.1' } });
    key = (await h.tenant('Acme')).apiKey;
    const program = await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends', settings: { verificationTtlHours: 2 } } });
    programId = program.body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: notificationRules });
  });
  afterAll(() => h.close());

  it('mails a single-use link to PUBLIC_URL and confirms the address with it', async () => {
    await participant('vera');
    const { res, mail, link } = await requestLink('vera');
    expect(res.body).toMatchObject({ participantId: 'vera', emailVerified: false, expiresAt: '2026-06-16T12:00:00.000Z' });
    expect(res.body.email.type).toBe('verification');
    expect(link.origin + link.pathname).toBe('https://refer.example.com/verify');
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // No program named: the tenant's name and the default template.
    expect(mail.subject).toBe('Confirm your email for Acme');
    expect(mail.text).toContain('The link expires in 24 hours.');

    // Before: the rule that needs a verified address does not fire.
    const before = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'visit-1', type: 'visit', participantId: 'vera' } });
    expect(before.body.fired).toEqual([]);

    const ok = await confirm(link.searchParams.get('token')!);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ participantId: 'vera', email: 'vera@example.com', emailVerified: true, emailVerifiedAt: h.clock.now().toISOString() });
    const after = await h.request('GET', '/v1/participants/vera', { token: key });
    expect(after.body).toMatchObject({ emailVerified: true, emailVerifiedAt: h.clock.now().toISOString() });
    const fired = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'visit-2', type: 'visit', participantId: 'vera' } });
    expect(fired.body.fired.map((f: any) => f.rule)).toEqual(['verified-only']);

    const reused = await confirm(link.searchParams.get('token')!);
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('token_used');
  });

  it('stores only a hash of the token, and the email log does not show it', async () => {
    await participant('walt');
    const { res, link } = await requestLink('walt');
    const token = link.searchParams.get('token')!;
    const rows = await h.services.store.db.selectFrom('tokens').selectAll().where('participant_id', '=', 'walt').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token);
    const detail = await h.request('GET', `/v1/emails/${res.body.email.id}`, { token: key });
    expect(detail.body.type).toBe('verification');
    expect(detail.body.text).toContain('token=[redacted]');
    expect(JSON.stringify(detail.body)).not.toContain(token);
  });

  it('refuses unknown, expired and malformed tokens with clear codes', async () => {
    const unknown = await confirm('not-a-real-token');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_token');
    const missing = await h.request('POST', '/v1/verification/confirm', { body: {} });
    expect(missing.status).toBe(422);

    await participant('xena');
    const { link } = await requestLink('xena');
    h.clock.advance(24 * HOUR);
    const expired = await confirm(link.searchParams.get('token')!);
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe('token_expired');
    expect((await h.request('GET', '/v1/participants/xena', { token: key })).body.emailVerified).toBe(false);
  });

  it("uses the program's template, name and expiry when a program is named", async () => {
    await participant('yves');
    const { res, mail, link } = await requestLink('yves', { programId });
    expect(mail.subject).toBe('Confirm your email for Friends');
    expect(mail.text).toContain('The link expires in 2 hours.');
    expect(res.body.expiresAt).toBe(new Date(h.clock.now().getTime() + 2 * HOUR).toISOString());
    h.clock.advance(2 * HOUR - 1000);
    expect((await confirm(link.searchParams.get('token')!)).status).toBe(200);

    await participant('yara');
    const late = await requestLink('yara', { programId });
    h.clock.advance(2 * HOUR);
    expect((await confirm(late.link.searchParams.get('token')!)).body.error.code).toBe('token_expired');

    const custom = await h.request('PUT', `/v1/programs/${programId}/templates/verification`, {
      token: key,
      body: { subject: 'Please verify, {{ participant.firstName }}', html: '<a href="{{ link }}">verify</a>', text: 'Verify: {{ link }}' },
    });
    expect(custom.status).toBe(200);
    await participant('yoko');
    const own = await requestLink('yoko', { programId });
    expect(own.mail.subject).toBe('Please verify, yoko');
  });

  it('does not let a link sent to an old address verify a new one', async () => {
    await participant('zane');
    const { link } = await requestLink('zane');
    await h.request('PUT', '/v1/participants/zane', { token: key, body: { email: 'zane.new@example.com' } });
    const res = await confirm(link.searchParams.get('token')!);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_token');
    expect((await h.request('GET', '/v1/participants/zane', { token: key })).body.emailVerified).toBe(false);
  });

  it('sends nothing to a verified address or when the tenant switched the email off', async () => {
    const verified = await h.request('POST', '/v1/participants/vera/verification', { token: key, body: {} });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ emailVerified: true, email: null });

    await participant('abe');
    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { verification: false } });
    const off = await h.request('POST', '/v1/participants/abe/verification', { token: key, body: {} });
    expect(off.status).toBe(200);
    expect(off.body.email).toBeNull();
    expect(await h.inbox('abe@example.com')).toHaveLength(0);
    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { verification: true } });
  });

  it('validates the request and keeps tenants apart', async () => {
    expect((await h.request('POST', '/v1/participants/nobody/verification', { token: key, body: {} })).status).toBe(404);
    expect((await h.request('POST', '/v1/participants/vera/verification', { token: key, body: { programId: 'nope' } })).status).toBe(404);
    const bad = await h.request('POST', '/v1/participants/vera/verification', { token: key, body: { redirectUrl: 'javascript:alert(1)' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].pointer).toBe('/redirectUrl');
    expect((await h.request('POST', '/v1/participants/vera/verification', { body: {} })).status).toBe(401);
    const other = (await h.tenant('Other')).apiKey;
    expect((await h.request('POST', '/v1/participants/vera/verification', { token: other, body: {} })).status).toBe(404);
  });

  it('opens a confirmation page that spends the token only on submit, then follows the signed redirect', async () => {
    await participant('bea');
    const { link } = await requestLink('bea', { redirectUrl: 'https://acme.example/welcome?x=1' });
    expect(link.searchParams.get('redirect')).toBe('https://acme.example/welcome?x=1');
    const token = link.searchParams.get('token')!;

    const pageRes = await h.app.request(link.pathname + link.search);
    expect(pageRes.status).toBe(200);
    expect(pageRes.headers.get('referrer-policy')).toBe('no-referrer');
    const pageHtml = await pageRes.text();
    expect(pageHtml).toContain('<form method="post" action="verify">');
    expect((await h.request('GET', '/v1/participants/bea', { token: key })).body.emailVerified).toBe(false);

    const form = new URLSearchParams({ token, redirect: link.searchParams.get('redirect')!, sig: link.searchParams.get('sig')! });
    const post = await h.app.request('/verify', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe('https://acme.example/welcome?x=1');
    expect((await h.request('GET', '/v1/participants/bea', { token: key })).body.emailVerified).toBe(true);

    // An edited redirect is not followed.
    await participant('cleo');
    const second = await requestLink('cleo', { redirectUrl: 'https://acme.example/welcome' });
    const tampered = new URLSearchParams({ token: second.link.searchParams.get('token')!, redirect: 'https://evil.example/', sig: second.link.searchParams.get('sig')! });
    const res = await h.app.request('/verify', { method: 'POST', body: tampered, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Email address confirmed');

    const used = await h.app.request('/verify', { method: 'POST', body: tampered, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(used.status).toBe(400);
    expect(await used.text()).toContain('already used');
  });

  it("keeps the pages' small form limit off the API", async () => {
    const big = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'big-1', type: 'visit', participantId: 'vera', data: { blob: 'x'.repeat(64 * 1024) } } });
    expect(big.status).toBe(201);
    const form = await h.app.request('/verify', { method: 'POST', body: new URLSearchParams({ token: 'x'.repeat(32 * 1024) }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(413);
  });

  it('rate limits confirmations per client', async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 30; i++) expect((await confirm(`guess-${i}`, from)).status).toBe(400);
    const limited = await confirm('guess-31', from);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await confirm('guess-32', { 'x-forwarded-for': '203.0.113.8' })).status).toBe(400);
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
