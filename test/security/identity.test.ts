import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createMailHarness, type MailHarness, type ReceivedMail } from '../support/mail-harness.ts';
import { createTestStore, DIALECTS } from '../support/databases.ts';
import { migrateTo, migrateToLatest } from '../../runtime/store/migrate.ts';
import { saveEmailSettings } from '../../runtime/store/email-settings-queries.ts';
import { generateDkimKeyPair } from '../../plugins/mail/dkim.ts';
import { fillLinkSecret, newLinkSecret, sealLinkSecret } from '../../plugins/mail/link-secret.ts';
import { createSecretBox, generateSecretKey } from '../../runtime/security/secret-box.ts';

// Mail identity as a hostile tenant tries it: a From address whose text after
// the first '@' is the tenant's domain while the mailbox is at another one,
// so the message would go out From that domain with the tenant's DKIM key.

const DOMAIN = 'mail.acme.test';
const MAIL_FROM = 'notifications@refer.example.com';
// Each is one mailbox at evil.test whose `split('@')[1]` is the tenant's domain.
const SPOOFS = [`"x@${DOMAIN}@"@evil.test`, `"n@${DOMAIN}@x" <a@evil.test>`, `(x@${DOMAIN}@) a@evil.test`];

describe.each(DIALECTS)('mail identity on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let tenantId: string;
  let programId: string;
  let events = 0;

  beforeAll(async () => {
    h = await createMailHarness(dialect, { env: { MAIL_FROM, MAIL_RATE_PER_SECOND: '1000' } });
    ({ id: tenantId, apiKey: key } = await h.tenant('Acme'));
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    const rules = { rules: [{ name: 'hello', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'hello' } } } }] };
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rules })).status).toBe(200);
    expect((await h.request('PUT', '/v1/participants/p1', { token: key, body: { email: 'p1@example.com' } })).status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(SPOOFS)('refuses the From address %s for the domain, storing nothing', async (fromAddress) => {
    const res = await h.request('PUT', '/v1/settings/email/domain', { token: key, body: { domain: DOMAIN, fromAddress } });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ pointer: '/fromAddress', message: `must be an address at ${DOMAIN}` }]);
    expect((await h.request('GET', '/v1/settings/email', { token: key })).body.domain).toBeNull();
  });

  it('accepts a quoted local part that holds an @ when the mailbox is at the domain', async () => {
    const res = await h.request('PUT', '/v1/settings/email/domain', { token: key, body: { domain: DOMAIN, fromAddress: `"a@evil.test"@${DOMAIN.toUpperCase()}` } });
    expect(res.status).toBe(200);
    expect(res.body.domain.fromAddress).toBe(`"a@evil.test"@${DOMAIN.toUpperCase()}`);
  });

  it('never signs a spoofed From stored before the check: the mail goes out From MAIL_FROM, unsigned', async () => {
    const keys = await generateDkimKeyPair();
    await saveEmailSettings(
      h.services.store.db,
      tenantId,
      {
        domain: DOMAIN,
        domain_from: SPOOFS[0],
        dkim_selector: 'ar1',
        dkim_private_sealed: await h.services.secrets.seal(keys.privateKeyPem, { tenantId, field: 'dkim_private' }),
        dkim_public: keys.publicKeyBase64,
        domain_status: 'verified',
        domain_verified_at: h.clock.now().toISOString(),
      },
      h.clock.now().toISOString(),
    );
    h.services.senders.forget?.(tenantId);
    const before = (await h.delivered()).length;
    expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `e${++events}`, type: 'x', participantId: 'p1' } })).status).toBe(201);
    const got = (await h.delivered()).slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].headers.from).toMatch(/<notifications@refer\.example\.com>$/);
    expect(got[0].headers['dkim-signature']).toBeUndefined();
  });
});

// Tokens in links: the outbox holds the email with a placeholder where the
// token goes and the token sealed beside it; the token is put in only as the
// message is built for sending and is never written back. A copy of the
// database opens no account.
describe.each(DIALECTS)('tokens at rest on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let tenantId: string;
  const REDIRECT = 'https://shop.example.com/welcome';

  beforeAll(async () => {
    h = await createMailHarness(dialect, { env: { MAIL_RATE_PER_SECOND: '1000' } });
    ({ id: tenantId, apiKey: key } = await h.tenant('Acme'));
    expect((await h.request('PUT', '/v1/participants/tia', { token: key, body: { email: 'tia@example.com', firstName: 'Tia' } })).status).toBe(201);
    expect((await h.request('PUT', '/v1/participants/tia/password', { token: key, body: { password: 'the old password' } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Every string in every column of every row of every table, as the database holds it. */
  async function everyStoredString(): Promise<string[]> {
    const db = h.services.store.db as unknown as Kysely<any>;
    const out: string[] = [];
    // PostgreSQL's introspection lists every schema's tables; other test files run in schemas of their own.
    const own = h.services.store.dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0].schema : undefined;
    for (const table of await db.introspection.getTables()) {
      if (own !== undefined && table.schema !== own) continue;
      for (const row of await db.selectFrom(table.name).selectAll().execute()) {
        for (const value of Object.values(row)) if (typeof value === 'string') out.push(value);
      }
    }
    return out;
  }
  const links = (mail: ReceivedMail, path: string) =>
    [...mail.text.matchAll(/https?:\/\/\S+/g), ...mail.html.matchAll(/https?:\/\/[^"'<\s]+/g)].map((m) => new URL(m[0].replace(/&amp;/g, '&'))).filter((u) => u.pathname === path);

  it('never stores the token of a verification or reset link in clear, yet the received links work', async () => {
    expect((await h.request('POST', '/v1/participants/tia/verification', { token: key, body: { redirectUrl: REDIRECT } })).status).toBe(202);
    expect((await h.request('POST', '/v1/password-reset', { body: { tenantId, email: 'tia@example.com' } })).status).toBe(202);
    const inbox = await h.inbox('tia@example.com');
    expect(inbox).toHaveLength(2);
    const verifyLinks = links(inbox.find((m) => m.text.includes('/verify?'))!, '/verify');
    const resetLinks = links(inbox.find((m) => m.text.includes('/reset-password?'))!, '/reset-password');
    // The same working link in the text and the HTML part.
    expect(verifyLinks).toHaveLength(2);
    expect(resetLinks).toHaveLength(2);
    expect(new Set(verifyLinks.map(String)).size).toBe(1);
    expect(new Set(resetLinks.map(String)).size).toBe(1);
    const verifyToken = verifyLinks[0].searchParams.get('token')!;
    const resetToken = resetLinks[0].searchParams.get('token')!;
    expect(verifyToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(resetToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Sent, and in no column of any table, on either dialect.
    const stored = await everyStoredString();
    expect(stored.length).toBeGreaterThan(20);
    for (const token of [verifyToken, resetToken]) expect(stored.filter((s) => s.includes(token))).toEqual([]);
    const rows = await h.services.store.db.selectFrom('emails').selectAll().where('tenant_id', '=', tenantId).execute();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);

    // The log shows the link with the token redacted.
    for (const row of rows) {
      const detail = await h.request('GET', `/v1/emails/${row.id}`, { token: key });
      expect(detail.body.text).toMatch(/token=\[redacted\]/);
      expect(detail.body.html).toMatch(/token=\[redacted\]/);
    }

    // The links work: the verification page confirms and follows the signed redirect; the reset sets the password.
    const verify = await h.app.request('/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: verifyToken, redirect: verifyLinks[0].searchParams.get('redirect')!, sig: verifyLinks[0].searchParams.get('sig')! }),
    });
    expect(verify.status).toBe(303);
    expect(verify.headers.get('location')).toBe(REDIRECT);
    expect((await h.request('GET', '/v1/participants/tia', { token: key })).body.emailVerified).toBe(true);
    expect((await h.request('POST', '/v1/password-reset/confirm', { body: { token: resetToken, password: 'the new password' } })).status).toBe(200);
    expect((await h.request('POST', '/v1/microsite/login', { body: { tenantId, email: 'tia@example.com', password: 'the new password' } })).status).toBe(200);
  });

  it('sends the link again on a retry, from the same sealed value', async () => {
    h.clock.advance(1000);
    expect((await h.request('POST', '/v1/password-reset', { body: { tenantId, email: 'tia@example.com' } })).status).toBe(202);
    const before = (await h.inbox('tia@example.com')).length;
    const [row] = await h.services.store.db.selectFrom('emails').selectAll().where('type', '=', 'password-reset').orderBy('created_at', 'desc').limit(1).execute();
    expect(row.status).toBe('sent');
    await h.services.store.db.updateTable('emails').set({ status: 'failed' }).where('id', '=', row.id).execute();
    expect((await h.request('POST', `/v1/emails/${row.id}/retry`, { token: key })).status).toBe(202);
    const again = (await h.inbox('tia@example.com')).slice(before);
    expect(again).toHaveLength(1);
    const token = links(again[0], '/reset-password')[0].searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await everyStoredString()).filter((s) => s.includes(token))).toEqual([]);
    expect((await h.request('POST', '/v1/password-reset/confirm', { body: { token, password: 'a third password' } })).status).toBe(200);
  });
});

describe.each(DIALECTS)('the migration to sealed link tokens on %s', (dialect) => {
  it('redacts the tokens of account emails already sent or failed, and leaves queued ones deliverable', async () => {
    const store = await createTestStore(dialect);
    try {
      await migrateTo(store.db, '2026-11-30T11-00-00_admin_sessions');
      const db = store.db as unknown as Kysely<any>;
      const token = 'A'.repeat(20) + '_b-' + 'c'.repeat(20);
      const row = (id: string, type: string, status: string) => ({
        id,
        tenant_id: 't1',
        program_id: null,
        participant_id: 'p1',
        idempotency_key: id,
        type,
        template: type,
        to_address: 'p1@example.com',
        subject: 'Hi',
        html: `<a href="https://refer.example.com/verify?token=${token}&amp;redirect=x">confirm</a>`,
        text: `https://refer.example.com/verify?token=${token}&redirect=x`,
        status,
        attempts: 1,
        next_attempt_at: null,
        lease_until: null,
        last_response: null,
        message_id: `<${id}@x>`,
        sender: null,
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        sent_at: null,
      });
      await db.insertInto('emails').values([row('sent', 'verification', 'sent'), row('failed', 'password-reset', 'failed'), row('queued', 'verification', 'queued'), row('other', 'email-action', 'sent')]).execute();
      await migrateToLatest(store.db);
      const after = Object.fromEntries((await db.selectFrom('emails').selectAll().execute()).map((r) => [r.id, r]));
      for (const id of ['sent', 'failed']) {
        expect(after[id].text).toBe('https://refer.example.com/verify?token=[redacted]&redirect=x');
        expect(after[id].html).toBe('<a href="https://refer.example.com/verify?token=[redacted]&amp;redirect=x">confirm</a>');
      }
      expect(after.queued.text).toContain(token);
      expect(after.other.text).toContain(token);
      expect(after.sent.secret_sealed).toBeNull();
    } finally {
      await store.dispose();
    }
  });
});

describe('sealed link tokens', () => {
  it('open only for the email they were sealed for, and fill every occurrence of the placeholder', async () => {
    const secrets = await createSecretBox(generateSecretKey());
    const secret = newLinkSecret('the-token_0123');
    expect(secret.placeholder).toMatch(/^sealed[0-9a-f]{32}$/);
    const email = { tenant_id: 't1', id: 'e1', subject: 'S', html: `<a href="x?token=${secret.placeholder}">x?token=${secret.placeholder}</a>`, text: `x?token=${secret.placeholder}` };
    const sealed = await sealLinkSecret(secrets, email, secret);
    expect(sealed).not.toContain('the-token_0123');
    const filled = await fillLinkSecret(secrets, { ...email, secret_sealed: sealed });
    expect(filled).toEqual({ subject: 'S', html: '<a href="x?token=the-token_0123">x?token=the-token_0123</a>', text: 'x?token=the-token_0123' });
    // Copied onto another email (or another tenant's), it does not open: the email fails rather than sending a dead link.
    await expect(fillLinkSecret(secrets, { ...email, id: 'e2', secret_sealed: sealed })).rejects.toMatchObject({ name: 'MailDeliveryError', kind: 'permanent' });
    await expect(fillLinkSecret(secrets, { ...email, tenant_id: 't2', secret_sealed: sealed })).rejects.toMatchObject({ kind: 'permanent' });
    expect(await fillLinkSecret(secrets, { ...email, secret_sealed: null })).toEqual({ subject: 'S', html: email.html, text: email.text });
  });
});
