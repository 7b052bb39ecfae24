import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startDroppingServer, startSmtpServer, type SmtpServerScenario, type TestSmtpServer } from '../support/smtp-servers.ts';
import { createLogger } from '../../runtime/logger.ts';
import { DEFAULT_RETRY } from '../../plugins/mail/retry-policy.ts';
import { composeEmail } from '../../plugins/mail/compose.ts';
import { ALL_ON } from '../../plugins/mail/notification-switches.ts';
import { claimDueEmails, finishAttempt, insertEmailOnce } from '../../runtime/store/email-queries.ts';
import type { EmailTable } from '../../runtime/store/database.ts';

// The outbox against real SMTP servers on loopback, set as the tenant's own
// server through the API. Each scenario's server reads its injected reply per
// command, so a test "repairs" a server by deleting `reply` from its scenario.

const PASSWORD = 'correct horse battery staple';
const HELLO_RULES = {
  rules: [{ name: 'hello', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'hello there' } } } }],
};

/** The window backoffMs draws from for an attempt: full jitter over the upper half. */
function backoffWindow(attempt: number) {
  const ceiling = Math.min(DEFAULT_RETRY.maxMs, DEFAULT_RETRY.baseMs * 2 ** (attempt - 1));
  return [ceiling / 2, ceiling] as const;
}

const messageIdOf = (raw: string) => /^Message-ID:\s*(\S+)/im.exec(raw)?.[1];

describe.each(DIALECTS)('outbox retries through a tenant SMTP server on %s', (dialect) => {
  const scenarios = {
    busy: { mode: 'plain', reply: { at: 'rcpt', code: 421, message: 'Too busy, closing connection' } },
    greylist: { mode: 'plain', reply: { at: 'data', code: 451, message: 'Greylisted, try again later' } },
    // A refusal of this message, not of the mailbox: no suppression (test/api/suppressions.test.ts has that).
    refused: { mode: 'plain', reply: { at: 'rcpt', code: 550, message: 'Relaying denied by local policy' } },
    login: { mode: 'plain', allowInsecureAuth: true, auth: { username: 'mailer', password: PASSWORD } },
    neverReady: { mode: 'plain', reply: { at: 'mail', code: 451, message: 'Local problem, try later' } },
    healthy: { mode: 'plain' },
  } satisfies Record<string, SmtpServerScenario>;
  type Name = keyof typeof scenarios;
  const servers = {} as Record<Name | 'dropping' | 'counting', TestSmtpServer>;
  let counting: CountingServer;
  const logLines: string[] = [];
  let h: Harness;

  beforeAll(async () => {
    for (const [name, scenario] of Object.entries(scenarios)) servers[name as Name] = await startSmtpServer(scenario as SmtpServerScenario);
    servers.dropping = await startDroppingServer('data');
    counting = await startCountingServer({ username: 'mailer', password: PASSWORD });
    servers.counting = counting;
    h = await createHarness(dialect, {
      env: {
        ALLOW_PRIVATE_SMTP_HOSTS: 'true',
        SMTP_PORTS: Object.values(servers).map((s) => s.port).join(','),
        MAIL_RATE_PER_SECOND: '1000',
      },
      logger: createLogger((line) => logLines.push(line)),
    });
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  /** A tenant whose program mails p1 on every event, connected to one of the servers. */
  async function tenantOn(server: TestSmtpServer, name: string, credentials?: { username: string; password: string }) {
    const { id, apiKey: token } = await h.tenant(name);
    const programId = (await h.request('POST', '/v1/programs', { token, body: { name: 'P' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token, body: HELLO_RULES })).status).toBeLessThan(300);
    expect((await h.request('PUT', '/v1/participants/p1', { token, body: { email: 'p1@example.com' } })).status).toBeLessThan(300);
    const connect = async (to: TestSmtpServer) => {
      const body = { host: '127.0.0.1', port: to.port, security: 'none', ...(credentials ? { ...credentials, allowPlaintextAuth: true } : {}) };
      const res = await h.request('PUT', '/v1/settings/email/smtp', { token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await connect(server);
    let events = 0;
    return {
      id,
      token,
      connect,
      /** Fires an event that queues one email, lets the dispatcher make its first attempt, returns the email id. */
      async mailOnce(): Promise<string> {
        const res = await h.request('POST', `/v1/programs/${programId}/events`, { token, body: { id: `e${++events}`, type: 'x', participantId: 'p1' } });
        expect(res.status).toBe(201);
        await h.services.dispatcher.drain();
        return res.body.emails[0].id;
      },
      email: async (emailId: string) => (await h.request('GET', `/v1/emails/${emailId}`, { token })).body,
    };
  }

  it.each([
    ['421 at RCPT (server closes the connection)', 'busy', '421'],
    ['451 after DATA', 'greylist', '451'],
  ] as const)('keeps the email queued on %s and sends it once the backoff has passed', async (_label, name, code) => {
    const server = servers[name];
    const t = await tenantOn(server, `Tenant ${name}`);
    const start = h.clock.now().getTime();
    const emailId = await t.mailOnce();

    const first = await t.email(emailId);
    expect(first).toMatchObject({ status: 'queued', attempts: 1, sender: 'smtp' });
    expect(first.lastResponse).toContain(code);
    const [min, max] = backoffWindow(1);
    const due = Date.parse(first.nextAttemptAt);
    expect(due - start).toBeGreaterThanOrEqual(min);
    expect(due - start).toBeLessThanOrEqual(max);
    expect(server.messages).toHaveLength(0);

    // Just before it is due nothing is attempted, even with the server healthy again.
    delete (scenarios[name] as SmtpServerScenario).reply;
    h.clock.set(new Date(due - 1));
    expect(await h.services.dispatcher.drain()).toBe(0);
    expect(await t.email(emailId)).toMatchObject({ status: 'queued', attempts: 1 });

    h.clock.set(new Date(due));
    expect(await h.services.dispatcher.drain()).toBe(1);
    const sent = await t.email(emailId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, nextAttemptAt: null });
    expect(sent.lastResponse).toMatch(/^250/);
    expect(server.messages.map((m) => messageIdOf(m.raw))).toEqual([sent.messageId]);
  });

  it('treats a dropped connection as transient and delivers after the tenant reconnects to a healthy server', async () => {
    const t = await tenantOn(servers.dropping, 'Tenant dropping');
    const healthyBefore = servers.healthy.messages.length;
    const emailId = await t.mailOnce();
    const first = await t.email(emailId);
    expect(first).toMatchObject({ status: 'queued', attempts: 1 });
    expect(first.nextAttemptAt).not.toBeNull();

    await t.connect(servers.healthy);
    h.clock.set(first.nextAttemptAt);
    expect(await h.services.dispatcher.drain()).toBe(1);
    const sent = await t.email(emailId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
    expect(servers.healthy.messages.slice(healthyBefore).map((m) => messageIdOf(m.raw))).toEqual([sent.messageId]);
  });

  it('fails a 550 at once, keeps the answer in the log, and sends it after POST /retry', async () => {
    const server = servers.refused;
    const t = await tenantOn(server, 'Tenant 550');
    const emailId = await t.mailOnce();
    const failed = await t.email(emailId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: null });
    expect(failed.lastResponse).toMatch(/^550\b.*Relaying denied by local policy/);
    expect((await h.request('GET', '/v1/emails?status=failed', { token: t.token })).body.emails.map((e: { id: string }) => e.id)).toEqual([emailId]);
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.emailId === emailId);
    expect(logged).toMatchObject({ level: 'warn', kind: 'permanent', retryable: false });
    expect(logged.response).toContain('Relaying denied');

    // The server's operator lifted the refusal; the tenant asks for another try.
    delete (scenarios.refused as SmtpServerScenario).reply;
    const retried = await h.request('POST', `/v1/emails/${emailId}/retry`, { token: t.token });
    expect(retried.status).toBe(202);
    // The route kicks the dispatcher before answering, so the answer may already show the new attempt.
    expect(retried.body.id).toBe(emailId);
    expect(['queued', 'sending']).toContain(retried.body.status);
    await h.services.dispatcher.idle();
    await h.services.dispatcher.drain();
    const sent = await t.email(emailId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1 });
    expect(server.messages.map((m) => messageIdOf(m.raw))).toEqual([sent.messageId]);

    const again = await h.request('POST', `/v1/emails/${emailId}/retry`, { token: t.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(await t.email(emailId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('fails a 535 at once and flags the integration as needing attention, without falling back to the built-in sender', async () => {
    const server = servers.login;
    const t = await tenantOn(server, 'Tenant 535', { username: 'mailer', password: PASSWORD });
    const captured = h.capture.messages.length;
    // The provider rotated the password after Connect.
    scenarios.login.auth.password = 'rotated password';
    const emailId = await t.mailOnce();
    const failed = await t.email(emailId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: null });
    expect(failed.lastResponse).toContain('535');

    const settings = (await h.request('GET', '/v1/settings/email', { token: t.token })).body;
    expect(settings.mode).toBe('smtp');
    expect(settings.smtp.status).toBe('needs_attention');
    expect(settings.smtp.lastError).toContain('535');
    expect(h.capture.messages.length).toBe(captured);
    expect(server.messages).toHaveLength(0);

    // Connect with the new password clears the flag, and the failed email can go.
    await h.request('PUT', '/v1/settings/email/smtp', {
      token: t.token,
      body: { host: '127.0.0.1', port: server.port, security: 'none', username: 'mailer', password: 'rotated password', allowPlaintextAuth: true },
    });
    expect((await h.request('GET', '/v1/settings/email', { token: t.token })).body.smtp.status).toBe('connected');
    expect((await h.request('POST', `/v1/emails/${emailId}/retry`, { token: t.token })).status).toBe(202);
    await h.services.dispatcher.idle();
    expect(await t.email(emailId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(server.messages).toHaveLength(1);
  });

  it('sends a burst for one tenant over one pool, not one pool per email', async () => {
    const t = await tenantOn(counting, 'Tenant burst', { username: 'mailer', password: PASSWORD });
    counting.connections = 0;
    const rows = await queueEmails(h, t.id, 40, 'burst');
    expect(await h.services.dispatcher.drain()).toBe(rows.length);
    expect(counting.messages.map((m) => messageIdOf(m.raw)).sort()).toEqual(rows.map((r) => r.message_id).sort());
    // The tenant transport pools at most 3 connections (smtp-transport.ts).
    expect(counting.connections).toBeLessThanOrEqual(3);
  });

  it('backs off further at each transient failure and fails after the last allowed attempt', async () => {
    const server = servers.neverReady;
    const t = await tenantOn(server, 'Tenant 451 forever');
    const emailId = await t.mailOnce();
    for (let attempt = 1; attempt < DEFAULT_RETRY.maxAttempts; attempt++) {
      const email = await t.email(emailId);
      expect(email).toMatchObject({ status: 'queued', attempts: attempt });
      const [min, max] = backoffWindow(attempt);
      const wait = Date.parse(email.nextAttemptAt) - h.clock.now().getTime();
      expect(wait).toBeGreaterThanOrEqual(min);
      expect(wait).toBeLessThanOrEqual(max);
      h.clock.set(email.nextAttemptAt);
      expect(await h.services.dispatcher.drain()).toBe(1);
    }
    const failed = await t.email(emailId);
    expect(failed).toMatchObject({ status: 'failed', attempts: DEFAULT_RETRY.maxAttempts, nextAttemptAt: null });
    expect(failed.lastResponse).toContain('451');

    h.clock.advance(DEFAULT_RETRY.maxMs * 10);
    expect(await h.services.dispatcher.drain()).toBe(0);
    expect(server.messages).toHaveLength(0);
  });
});

describe.each(DIALECTS)('a dispatcher that dies mid-batch on %s', (dialect) => {
  let h: Harness;
  let sink: TestSmtpServer;
  let tenantId: string;

  beforeAll(async () => {
    sink = await startSmtpServer({ mode: 'plain' });
    h = await createHarness(dialect, { env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`, MAIL_RATE_PER_SECOND: '1000' } });
    tenantId = (await h.tenant('Acme')).id;
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
  });

  it('loses nothing: the lease holds the batch, then another dispatcher sends each email once with its stored Message-ID', async () => {
    const rows = await queueEmails(h, tenantId, 5, 'crash');
    const db = h.services.store.db;
    const now = h.clock.now();
    // Claimed exactly as a dispatcher would, then the process "dies" before sending.
    const deadLease = new Date(now.getTime() + 60_000).toISOString();
    const claimed = await claimDueEmails(db, h.services.store.dialect, { now: now.toISOString(), leaseUntil: deadLease, holder: 'dead', limit: 50 });
    expect(claimed.map((e) => e.id).sort()).toEqual(rows.map((r) => r.id).sort());

    expect(await h.services.dispatcher.drain()).toBe(0);
    h.clock.set(deadLease);
    expect(await h.services.dispatcher.drain()).toBe(0);
    expect(sink.messages).toHaveLength(0);
    const held = await db.selectFrom('emails').select(['status', 'attempts']).where('tenant_id', '=', tenantId).execute();
    expect(held.every((e) => e.status === 'sending' && e.attempts === 1)).toBe(true);

    h.clock.advance(1);
    expect(await h.services.dispatcher.drain()).toBe(rows.length);
    expect(sink.messages.map((m) => messageIdOf(m.raw)).sort()).toEqual(rows.map((r) => r.message_id).sort());
    const after = await db.selectFrom('emails').select(['id', 'status', 'attempts', 'message_id']).where('tenant_id', '=', tenantId).execute();
    expect(after.every((e) => e.status === 'sent' && e.attempts === 2)).toBe(true);

    // The dead process coming back cannot overwrite what the live one recorded.
    for (const row of rows) expect(await finishAttempt(db, row.id, 'dead', { status: 'failed' })).toBe(false);
    expect((await db.selectFrom('emails').select('status').where('tenant_id', '=', tenantId).execute()).every((e) => e.status === 'sent')).toBe(true);
    h.clock.advance(DEFAULT_RETRY.maxMs);
    expect(await h.services.dispatcher.drain()).toBe(0);
    expect(sink.messages).toHaveLength(rows.length);
  });
});

/** Writes emails to the outbox as the event service does, without kicking a dispatcher. */
async function queueEmails(h: Harness, tenantId: string, count: number, keyPrefix: string): Promise<EmailTable[]> {
  const now = h.clock.now().toISOString();
  const env = { tenantId, program: null, templates: new Map(), switches: ALL_ON, now, messageIdDomain: h.services.config.MAIL_FROM.split('@')[1] };
  const rows: EmailTable[] = [];
  for (let i = 0; i < count; i++) {
    const recipient = { id: `p${i}`, email: `p${i}@example.com`, firstName: null, lastName: null, locale: null, countryCode: null, referredBy: null, w9OnFile: false, payoutInfoComplete: false, emailVerified: false, unsubscribed: false, referralFlags: [], createdAt: now };
    const row = await composeEmail({ type: 'email-action', template: 'email-action', recipient, idempotencyKey: `${keyPrefix}:${i}`, data: { data: { message: `message ${i}` } } }, env);
    expect(await insertEmailOnce(h.services.store.db, row!)).toBe(true);
    rows.push(row!);
  }
  return rows;
}

type CountingServer = TestSmtpServer & { connections: number };

/** A server requiring AUTH that counts the connections it accepts, which is how many pools a sender really opened. */
async function startCountingServer(login: { username: string; password: string }): Promise<CountingServer> {
  const server: CountingServer = { port: 0, messages: [], connections: 0, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
  const smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    disableReverseLookup: true,
    closeTimeout: 200,
    onConnect(_session, callback) {
      server.connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username === login.username && auth.password === login.password) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        server.messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure });
        callback();
      });
    },
  });
  smtp.on('error', () => {});
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  server.port = (smtp.server.address() as AddressInfo).port;
  return server;
}
