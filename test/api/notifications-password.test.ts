import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExchanges } from '../support/openapi-check.ts';
import { createMailHarness, tokenLink, type MailHarness } from '../support/mail-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { hashPassword } from '../../runtime/security/password-hash.ts';

// Microsite passwords: set with the API key, checked at login, reset through
// a mailed single-use link. Public calls must not reveal which addresses exist.

const MINUTE = 60_000;

describe.each(DIALECTS)('microsite passwords on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let tenantId: string;
  let programId: string;
  let client = 0;
  // Each test speaks from its own address, so per-client limits stay out of the way unless tested.
  const ip = () => ({ 'x-forwarded-for': `198.51.100.${++client}` });

  const participant = async (id: string, password?: string) => {
    expect((await h.request('PUT', `/v1/participants/${id}`, { token: key, body: { email: `${id}@example.com`, firstName: id } })).status).toBe(201);
    if (password) expect((await h.request('PUT', `/v1/participants/${id}/password`, { token: key, body: { password } })).status).toBe(200);
  };
  const login = (email: string, password: string, headers: Record<string, string> = ip(), tenant = tenantId) =>
    h.request('POST', '/v1/microsite/login', { body: { tenantId: tenant, email, password }, headers });
  const reset = (email: string, headers: Record<string, string> = ip(), extra: Record<string, unknown> = {}) =>
    h.request('POST', '/v1/password-reset', { body: { tenantId, email, ...extra }, headers });
  const confirm = (token: string, password: string, headers: Record<string, string> = ip()) => h.request('POST', '/v1/password-reset/confirm', { body: { token, password }, headers });
  const resetLinks = async (id: string) => (await h.inbox(`${id}@example.com`)).filter((m) => m.text.includes('/reset-password?token=')).map(tokenLink);

  beforeAll(async () => {
    // Behind a proxy on loopback (TRUST_PROXY): the per-client limits key on the X-Forwarded-For it appends.
    h = await createMailHarness(dialect, { peer: '127.0.0.1', env: { TRUST_PROXY: '127.0.0.1' } });
    const tenant = await h.tenant('Acme');
    key = tenant.apiKey;
    tenantId = tenant.id;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends', settings: { passwordResetTtlMinutes: 15 } } })).body.id;
  });
  afterAll(() => h.close());

  it('sets a password (stored as PBKDF2 with its parameters) and logs in with it', async () => {
    await participant('ada');
    const short = await h.request('PUT', '/v1/participants/ada/password', { token: key, body: { password: 'short' } });
    expect(short.status).toBe(422);
    expect(short.body.error.details[0].pointer).toBe('/password');
    const set = await h.request('PUT', '/v1/participants/ada/password', { token: key, body: { password: 'correct horse battery' } });
    expect(set.status).toBe(200);
    expect(set.body.passwordSet).toBe(true);
    expect(JSON.stringify(set.body)).not.toContain('pbkdf2');
    const row = await h.services.store.db.selectFrom('participants').select('password_hash').where('id', '=', 'ada').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);

    const ok = await login('ADA@example.com', 'correct horse battery');
    expect(ok.status).toBe(200);
    expect(ok.body.participant).toMatchObject({ id: 'ada', email: 'ada@example.com', emailVerified: false });
    expect((await h.request('PUT', '/v1/participants/nobody/password', { token: key, body: { password: 'long enough pw' } })).status).toBe(404);
  });

  it('answers 401 alike for a wrong password, an unknown address, no password and an unknown tenant', async () => {
    await participant('bo', 'the right password');
    await participant('cy');
    const wrong = await login('bo@example.com', 'the wrong password');
    const unknown = await login('ghost@example.com', 'the right password');
    const none = await login('cy@example.com', 'any password at all');
    const tenantless = await login('bo@example.com', 'the right password', ip(), 'no-such-tenant');
    for (const res of [wrong, unknown, none, tenantless]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(wrong.body);
    }
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  it('answers 202 the same way whether or not the address exists, and mails only a real one', async () => {
    await participant('dot', 'old password 123');
    const real = await reset('dot@example.com');
    const ghost = await reset('ghost@example.com');
    expect(real.status).toBe(202);
    expect(ghost.status).toBe(202);
    expect(ghost.body).toEqual(real.body);
    const [link] = await resetLinks('dot');
    expect(link.origin + link.pathname).toBe('https://refer.example.com/reset-password');
    expect((await h.delivered()).filter((m) => m.to === 'ghost@example.com')).toHaveLength(0);
    const [mail] = (await h.inbox('dot@example.com')).filter((m) => m.text.includes('reset-password'));
    expect(mail.subject).toBe('Reset your Acme password');
    expect(mail.text).toContain('The link expires in 60 minutes and works once.');
    const log = await h.request('GET', '/v1/emails?participantId=dot', { token: key });
    expect(log.body.emails.map((e: any) => e.type)).toEqual(['password-reset']);
  });

  it('sets the new password with the token and invalidates it and every other outstanding one', async () => {
    await participant('eli', 'old password 123');
    await reset('eli@example.com');
    await reset('eli@example.com');
    const [first, second] = await resetLinks('eli');
    const tooShort = await confirm(second.searchParams.get('token')!, 'short');
    expect(tooShort.status).toBe(422);

    const done = await confirm(second.searchParams.get('token')!, 'brand new password');
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ participantId: 'eli', passwordSet: true });
    expect((await login('eli@example.com', 'brand new password')).status).toBe(200);
    expect((await login('eli@example.com', 'old password 123')).status).toBe(401);

    const reused = await confirm(second.searchParams.get('token')!, 'another password');
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('token_used');
    const other = await confirm(first.searchParams.get('token')!, 'another password');
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('token_used');
    const unknown = await confirm('made-up-token', 'another password');
    expect(unknown.body.error.code).toBe('invalid_token');
  });

  it('expires reset links after an hour, or the program’s own time', async () => {
    await participant('fay', 'old password 123');
    await reset('fay@example.com');
    const [link] = await resetLinks('fay');
    h.clock.advance(60 * MINUTE);
    const late = await confirm(link.searchParams.get('token')!, 'brand new password');
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('token_expired');

    await reset('fay@example.com', ip(), { programId });
    const [, quick] = await resetLinks('fay');
    const [mail] = (await h.inbox('fay@example.com')).filter((m) => m.subject === 'Reset your Friends password');
    expect(mail.text).toContain('expires in 15 minutes');
    h.clock.advance(14 * MINUTE);
    expect((await confirm(quick.searchParams.get('token')!, 'brand new password')).status).toBe(200);
  });

  it('ends outstanding reset links when the password is set through the API', async () => {
    await participant('gil', 'old password 123');
    await reset('gil@example.com');
    const [link] = await resetLinks('gil');
    await h.request('PUT', '/v1/participants/gil/password', { token: key, body: { password: 'set by support' } });
    expect((await confirm(link.searchParams.get('token')!, 'attacker password')).body.error.code).toBe('token_used');
    expect((await login('gil@example.com', 'set by support')).status).toBe(200);
  });

  it('rate limits reset requests per address, alike for unknown addresses', async () => {
    await participant('hal', 'old password 123');
    for (const email of ['hal@example.com', 'nobody@example.com']) {
      for (let i = 0; i < 5; i++) expect((await reset(email)).status).toBe(202);
      const limited = await reset(email);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    }
    expect(await resetLinks('hal')).toHaveLength(5);
    h.clock.advance(60 * MINUTE);
    expect((await reset('hal@example.com')).status).toBe(202);
  });

  it('rate limits reset requests and confirmations per client', async () => {
    const from = { 'x-forwarded-for': '10.0.0.1, 203.0.113.50' };
    for (let i = 0; i < 20; i++) expect((await reset(`someone-${i}@example.com`, from)).status).toBe(202);
    expect((await reset('someone-else@example.com', from)).status).toBe(429);
    // The address our proxy saw is the last one: what the client wrote first does not matter.
    expect((await reset('someone-else@example.com', { 'x-forwarded-for': '10.9.9.9, 203.0.113.50' })).status).toBe(429);
    expect((await reset('someone-else@example.com', { 'x-forwarded-for': '203.0.113.51' })).status).toBe(202);

    const guesser = { 'x-forwarded-for': '203.0.113.60' };
    for (let i = 0; i < 20; i++) expect((await confirm(`guess-${i}`, 'long enough pw', guesser)).status).toBe(400);
    expect((await confirm('guess-21', 'long enough pw', guesser)).status).toBe(429);
  });

  it('rate limits logins per address, even with the right password', async () => {
    await participant('ian', 'the right password');
    for (let i = 0; i < 10; i++) expect((await login('ian@example.com', `wrong guess ${i}`)).status).toBe(401);
    const limited = await login('ian@example.com', 'the right password');
    expect(limited.status).toBe(429);
    h.clock.advance(15 * MINUTE);
    expect((await login('ian@example.com', 'the right password')).status).toBe(200);
  });

  it('upgrades an old hash at the next successful login', async () => {
    await participant('jo');
    await h.services.store.db.updateTable('participants').set({ password_hash: await hashPassword('legacy password', 1000) }).where('id', '=', 'jo').execute();
    expect((await login('jo@example.com', 'legacy password')).status).toBe(200);
    const row = await h.services.store.db.selectFrom('participants').select('password_hash').where('id', '=', 'jo').executeTakeFirstOrThrow();
    expect(row.password_hash!.startsWith('pbkdf2-sha256$100000$')).toBe(true);
    expect((await login('jo@example.com', 'legacy password')).status).toBe(200);
  });

  it('serves a reset page for the link', async () => {
    await participant('kit', 'old password 123');
    await reset('kit@example.com');
    const [link] = await resetLinks('kit');
    const page = await h.app.request(link.pathname + link.search);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="password"');
    const mismatch = await h.app.request('/reset-password', {
      method: 'POST',
      body: new URLSearchParams({ token: link.searchParams.get('token')!, password: 'page password 1', repeat: 'page password 2' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...ip() },
    });
    expect(mismatch.status).toBe(422);
    const ok = await h.app.request('/reset-password', {
      method: 'POST',
      body: new URLSearchParams({ token: link.searchParams.get('token')!, password: 'page password 1', repeat: 'page password 1' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...ip() },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Password changed');
    expect((await login('kit@example.com', 'page password 1')).status).toBe(200);
  });

  it('honours the password-reset switch without changing the answer', async () => {
    await participant('lu', 'old password 123');
    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { passwordReset: false } });
    const res = await reset('lu@example.com');
    expect(res.status).toBe(202);
    expect(await resetLinks('lu')).toHaveLength(0);
    await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { passwordReset: true } });
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
