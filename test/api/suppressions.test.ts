import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startSmtpServer, type SmtpServerScenario, type TestSmtpServer } from '../support/smtp-servers.ts';
import { messageIdOf } from '../support/outbox-fixtures.ts';
import { addSuppression } from '../../runtime/store/suppression-queries.ts';

// A receiving server that says a mailbox does not exist puts the address on
// the tenant's suppression list; later mail to it is stored `suppressed`,
// never sent, until the tenant removes the address.

const HELLO_RULES = {
  rules: [{ name: 'hello', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'hello there' } } } }],
};

describe.each(DIALECTS)('the suppression list on %s', (dialect) => {
  const scenarios = {
    unknownUser: { mode: 'plain', reply: { at: 'rcpt', code: 550, message: '5.1.1 <gone@example.com>: Recipient address rejected: User unknown' } },
    spam: { mode: 'plain', reply: { at: 'data', code: 550, message: '5.7.1 Message rejected as spam' } },
  } satisfies Record<string, SmtpServerScenario>;
  const servers = {} as Record<keyof typeof scenarios, TestSmtpServer>;
  let h: Harness;

  beforeAll(async () => {
    for (const [name, scenario] of Object.entries(scenarios)) servers[name as keyof typeof scenarios] = await startSmtpServer(scenario as SmtpServerScenario);
    h = await createHarness(dialect, {
      env: { ALLOW_PRIVATE_SMTP_HOSTS: 'true', SMTP_PORTS: Object.values(servers).map((s) => s.port).join(','), MAIL_RATE_PER_SECOND: '1000' },
    });
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  async function tenantOn(server: TestSmtpServer, name: string, address: string) {
    const { id, apiKey: token } = await h.tenant(name);
    const programId = (await h.request('POST', '/v1/programs', { token, body: { name: 'P' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token, body: HELLO_RULES })).status).toBeLessThan(300);
    expect((await h.request('PUT', '/v1/participants/p1', { token, body: { email: address } })).status).toBeLessThan(300);
    const connected = await h.request('PUT', '/v1/settings/email/smtp', { token, body: { host: '127.0.0.1', port: server.port, security: 'none' } });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    let events = 0;
    return {
      id,
      token,
      async mailOnce(): Promise<string> {
        const res = await h.request('POST', `/v1/programs/${programId}/events`, { token, body: { id: `e${++events}`, type: 'x', participantId: 'p1' } });
        expect(res.status).toBe(201);
        await h.services.dispatcher.idle();
        await h.services.dispatcher.drain();
        return res.body.emails[0].id;
      },
      email: async (emailId: string) => (await h.request('GET', `/v1/emails/${emailId}`, { token })).body,
    };
  }

  it('suppresses an address after 550 5.1.1, stores later mail to it as suppressed, and sends again once the address is removed', async () => {
    const server = servers.unknownUser;
    const t = await tenantOn(server, 'Bounced', 'Gone@Example.com');
    const bounced = await t.mailOnce();
    expect(await t.email(bounced)).toMatchObject({ status: 'failed', attempts: 1 });

    const listed = await h.request('GET', '/v1/suppressions', { token: t.token });
    expect(listed.status).toBe(200);
    expect(listed.body.next).toBeNull();
    expect(listed.body.suppressions).toEqual([{ address: 'gone@example.com', reason: expect.stringMatching(/^550 5\.1\.1 .*User unknown/), emailId: bounced, createdAt: h.clock.now().toISOString() }]);

    // The server would accept it now; the list still stops it before any connection.
    delete (scenarios.unknownUser as SmtpServerScenario).reply;
    const later = await t.mailOnce();
    const stopped = await t.email(later);
    expect(stopped).toMatchObject({ status: 'suppressed', attempts: 0, nextAttemptAt: null, sentAt: null });
    expect(stopped.lastResponse).toMatch(/^suppressed: 550 5\.1\.1/);
    expect(server.messages).toHaveLength(0);
    const log = await h.request('GET', '/v1/emails?status=suppressed', { token: t.token });
    expect(log.body.emails.map((e: { id: string }) => e.id)).toEqual([later]);
    expect(log.body.counts).toEqual({ queued: 0, sending: 0, sent: 0, failed: 1, suppressed: 1 });
    // Not retried either.
    h.clock.advance(86_400_000);
    expect(await h.services.dispatcher.drain()).toBe(0);
    expect(await t.email(later)).toMatchObject({ status: 'suppressed' });

    // Any spelling of the address names the one entry.
    expect((await h.request('DELETE', '/v1/suppressions/GONE@example.com', { token: t.token })).status).toBe(204);
    expect((await h.request('GET', '/v1/suppressions', { token: t.token })).body.suppressions).toEqual([]);
    expect((await h.request('DELETE', '/v1/suppressions/gone@example.com', { token: t.token })).status).toBe(404);
    const sent = await t.email(await t.mailOnce());
    expect(sent).toMatchObject({ status: 'sent' });
    expect(server.messages.map((m) => messageIdOf(m.raw))).toEqual([sent.messageId]);
  });

  it('does not suppress on a refusal of the message itself (5.7.1)', async () => {
    const t = await tenantOn(servers.spam, 'Spam', 'fine@example.com');
    const emailId = await t.mailOnce();
    expect(await t.email(emailId)).toMatchObject({ status: 'failed' });
    expect((await h.request('GET', '/v1/suppressions', { token: t.token })).body.suppressions).toEqual([]);
  });

  it('says so when an account email is suppressed at once', async () => {
    const { id, apiKey: token } = await h.tenant('Accounts');
    expect((await h.request('PUT', '/v1/participants/ann', { token, body: { email: 'ann@example.com' } })).status).toBe(201);
    await addSuppression(h.services.store.db, { tenant_id: id, address: 'ann@example.com', reason: '550 5.1.1 User unknown', email_id: null, created_at: h.clock.now().toISOString() });
    const res = await h.request('POST', '/v1/participants/ann/verification', { token, body: {} });
    expect(res.status).toBe(202);
    expect(res.body.email).toMatchObject({ type: 'verification', status: 'suppressed', lastResponse: 'suppressed: 550 5.1.1 User unknown' });
    await h.services.dispatcher.drain();
    expect(h.capture.messages.filter((m) => m.to === 'ann@example.com')).toHaveLength(0);
  });

  it('pages through the list newest first without skipping addresses suppressed in the same millisecond, one tenant at a time', async () => {
    const { id, apiKey: token } = await h.tenant('Pages');
    const other = await h.tenant('Other');
    const at = (n: number) => new Date(Date.parse('2026-06-01T00:00:00.000Z') + n).toISOString();
    const addresses = ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test'];
    for (const [i, address] of addresses.entries()) {
      await addSuppression(h.services.store.db, { tenant_id: id, address, reason: 'r', email_id: null, created_at: at(i < 3 ? 0 : i) });
    }
    await addSuppression(h.services.store.db, { tenant_id: other.id, address: 'z@x.test', reason: 'r', email_id: null, created_at: at(9) });

    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { status: number; body: any } = await h.request('GET', `/v1/suppressions?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`, { token });
      expect(page.status).toBe(200);
      seen.push(...page.body.suppressions.map((s: { address: string }) => s.address));
      before = page.body.next;
    } while (before);
    expect(seen).toEqual(['e@x.test', 'd@x.test', 'c@x.test', 'b@x.test', 'a@x.test']);

    expect((await h.request('DELETE', '/v1/suppressions/z@x.test', { token })).status).toBe(404);
    expect((await h.request('GET', '/v1/suppressions', { token: other.apiKey })).body.suppressions.map((s: { address: string }) => s.address)).toEqual(['z@x.test']);
    const bad = await h.request('GET', '/v1/suppressions?before=yesterday', { token });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].pointer).toBe('/before');
    expect((await h.request('GET', '/v1/suppressions?limit=0', { token })).status).toBe(422);
  });
});
