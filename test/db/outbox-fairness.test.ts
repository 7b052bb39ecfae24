import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/databases.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { eventually, messageIdOf, queueEmails } from '../support/outbox-fixtures.ts';
import { generateSecretKey } from '../../runtime/security/secret-box.ts';
import { systemClock } from '../../runtime/clock.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { createDispatcher } from '../../plugins/mail/dispatcher.ts';

// The two ways a slow SMTP server used to hurt: claims that outlived their
// lease (so a second instance sent the same emails again), and one tenant's
// batch holding everyone else's mail back.

describe('a slow server and two dispatchers on one PostgreSQL outbox', () => {
  const LEASE_MS = 900;
  let store: TestStore;
  let slow: TestSmtpServer;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    store = await createTestStore('postgres');
    // Each answer to DATA takes longer than a whole lease.
    slow = await startSmtpServer({ mode: 'plain', dataDelayMs: LEASE_MS * 2 });
    const env = { SECRET_KEY: generateSecretKey(), BUILTIN_SMTP_URL: `smtp://127.0.0.1:${slow.port}?starttls=off`, MAIL_RATE_PER_SECOND: '10000' };
    a = await createHarness('postgres', { store, env });
    b = await createHarness('postgres', { store, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.dispose();
    await slow?.close();
  });

  it('renews the lease of every send in progress, so the other instance never sends the same email', async () => {
    const tenant = await a.tenant('Acme');
    const rows = await queueEmails(a, tenant.id, 8, 'slow');
    // Real time here: the leases must really run out if nobody renews them.
    const dispatcherOf = (h: Harness) => createDispatcher({ store: h.services.store, clock: systemClock, logger: silentLogger, senders: h.services.senders, leaseMs: LEASE_MS });
    const first = dispatcherOf(a);
    const second = dispatcherOf(b);

    // The first takes everything (8 fit in its slots); its pool sends 3 at a time, so the last ones wait several leases long.
    let done = false;
    const byFirst = first.drain().finally(() => {
      done = true;
    });
    await eventually(async () => (await store.db.selectFrom('emails').select('id').where('status', '=', 'sending').execute()).length === rows.length);
    // Meanwhile the second instance keeps looking for due mail, as its timer would.
    let bySecond = 0;
    while (!done) {
      bySecond += await second.drain();
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 4));
    }
    expect(await byFirst).toBe(rows.length);
    expect(bySecond).toBe(0);

    const arrived = slow.messages.map((m) => messageIdOf(m.raw));
    expect(arrived.sort()).toEqual(rows.map((r) => r.message_id).sort());
    const after = await store.db.selectFrom('emails').select(['status', 'attempts', 'lease_until', 'lease_holder']).execute();
    expect(after.every((e) => e.status === 'sent' && e.attempts === 1 && e.lease_until === null && e.lease_holder === null)).toBe(true);
  });
});

describe.each(DIALECTS)('fairness across tenants on %s', (dialect) => {
  let h: Harness;
  let slow: TestSmtpServer;
  let relay: TestSmtpServer;

  beforeAll(async () => {
    slow = await startSmtpServer({ mode: 'plain', holdData: true });
    relay = await startSmtpServer({ mode: 'plain' });
    h = await createHarness(dialect, {
      env: {
        ALLOW_PRIVATE_SMTP_HOSTS: 'true',
        SMTP_PORTS: String(slow.port),
        BUILTIN_SMTP_URL: `smtp://127.0.0.1:${relay.port}?starttls=off`,
        MAIL_RATE_PER_SECOND: '10000',
      },
    });
  });
  afterAll(async () => {
    slow?.release?.();
    await h?.close();
    await slow?.close();
    await relay?.close();
  });

  it("delivers another tenant's mail while one tenant's server holds its first sends", async () => {
    const stuck = await h.tenant('Stuck');
    const connected = await h.request('PUT', '/v1/settings/email/smtp', { token: stuck.apiKey, body: { host: '127.0.0.1', port: slow.port, security: 'none' } });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    const other = await h.tenant('Other');
    // More than a whole batch of the old dispatcher, queued first; its server takes them and answers none.
    const stuckRows = await queueEmails(h, stuck.id, 60, 'stuck');
    h.services.dispatcher.kick();
    await eventually(() => slow.held!() >= 3);

    const otherRows = await queueEmails(h, other.id, 5, 'other');
    h.services.dispatcher.kick();
    await eventually(() => relay.messages.length === otherRows.length);
    // Every one of the other tenant's emails is out while the slow server still holds the first tenant's first sends.
    expect(slow.messages).toHaveLength(0);
    expect(relay.messages.map((m) => messageIdOf(m.raw)).sort()).toEqual(otherRows.map((r) => r.message_id).sort());
    // The slow tenant holds a bounded number of sends, not its whole backlog.
    const sending = await h.services.store.db.selectFrom('emails').select('id').where('tenant_id', '=', stuck.id).where('status', '=', 'sending').execute();
    expect(sending.length).toBeGreaterThan(0);
    expect(sending.length).toBeLessThan(stuckRows.length);

    slow.release!();
    await h.services.dispatcher.idle();
    await h.services.dispatcher.drain();
    expect(slow.messages.map((m) => messageIdOf(m.raw)).sort()).toEqual(stuckRows.map((r) => r.message_id).sort());
  });
});

describe.each(DIALECTS)('a dispatcher that stalls past its lease on %s', (dialect) => {
  let h: Harness;
  let sink: TestSmtpServer;

  beforeAll(async () => {
    sink = await startSmtpServer({ mode: 'plain' });
    h = await createHarness(dialect, { env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`, MAIL_RATE_PER_SECOND: '1000' } });
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
  });

  it('does not hand the email to SMTP once another dispatcher has taken it over', async () => {
    const tenant = await h.tenant('Acme');
    const [row] = await queueEmails(h, tenant.id, 1, 'stall');
    // The first dispatcher's send waits at the rate limiter until the test lets it go: a stall.
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    let waiting = false;
    const first = createDispatcher({
      store: h.services.store,
      clock: h.clock,
      logger: silentLogger,
      senders: h.services.senders,
      leaseMs: 60_000,
      rateLimiter: {
        take: async () => {
          waiting = true;
          await stalled;
        },
      },
    });
    const second = createDispatcher({ store: h.services.store, clock: h.clock, logger: silentLogger, senders: h.services.senders, leaseMs: 60_000 });

    const firstRun = first.drain();
    await eventually(() => waiting);
    // Its lease runs out while it stalls (no renewal can happen: the clock jumps), and the second takes the email over.
    h.clock.advance(60_001);
    expect(await second.drain()).toBe(1);
    expect(sink.messages.map((m) => messageIdOf(m.raw))).toEqual([row.message_id]);

    resume();
    await firstRun;
    expect(sink.messages).toHaveLength(1);
    const after = await h.services.store.db.selectFrom('emails').select(['status', 'attempts']).where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'sent', attempts: 2 });
  });
});

describe.each(DIALECTS)('emails claimed ahead of their send slots on %s', (dialect) => {
  let h: Harness;
  let slow: TestSmtpServer;

  beforeAll(async () => {
    slow = await startSmtpServer({ mode: 'plain', holdData: true });
    h = await createHarness(dialect, { env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${slow.port}?starttls=off`, MAIL_RATE_PER_SECOND: '10000' } });
  });
  afterAll(async () => {
    slow?.release?.();
    await h?.close();
    await slow?.close();
  });

  it('holds up to three times the tenant\'s slots, but sends no more at once than its slots', async () => {
    const tenant = await h.tenant('Ahead');
    const rows = await queueEmails(h, tenant.id, 10, 'ahead');
    const dispatcher = createDispatcher({ store: h.services.store, clock: h.clock, logger: silentLogger, senders: h.services.senders, perTenant: 2, claimAhead: 3 });
    const run = dispatcher.drain();
    // The relay's pool has three connections: only the gate keeps the third from carrying a message.
    await eventually(() => slow.held!() >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slow.held!()).toBe(2);
    const claimed = await h.services.store.db.selectFrom('emails').select('id').where('tenant_id', '=', tenant.id).where('status', '=', 'sending').execute();
    expect(claimed).toHaveLength(6);

    slow.release!();
    expect(await run).toBe(rows.length);
    expect(slow.messages.map((m) => messageIdOf(m.raw)).sort()).toEqual(rows.map((r) => r.message_id).sort());
  });
});
