import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, type LogEvent } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS, freshPostgresSchema, type TestStore } from '../support/databases.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { emailRowsFor, eventually, messageIdOf } from '../support/outbox-fixtures.ts';
import { referralRules } from '../api/fixtures.ts';
import { createDispatcher, type DispatcherOptions } from '../../plugins/mail/dispatcher.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { createStore, inTransaction } from '../../runtime/store/store.ts';
import { insertEmailOnce } from '../../runtime/store/email-queries.ts';
import { addSuppression } from '../../runtime/store/suppression-queries.ts';
import { createSqliteDialect } from '../../runtime/store/dialects/sqlite-dialect.ts';
import { createPostgresDialect } from '../../runtime/store/dialects/postgres-dialect.ts';
import type { Database, EmailTable } from '../../runtime/store/database.ts';

// An event's emails are inserted claimed by the local dispatcher while it has
// room (plugins/mail/preclaim.ts), and taken into its flights once the commit
// is durable, with no claim statement. What must not change: each email is
// sent once, a claim that is never taken (the process died) passes to another
// dispatcher when its lease runs out, a rolled-back or lost commit leaves
// nothing claimed, and suppression, shutdown and the hold limits apply as they
// do to claimed emails. A reservation that leaked would keep `idle()` from ever
// resolving: the tests that await it would time out.

const HELLO_RULES = {
  rules: [{ name: 'hello', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'hello there' } } } }],
};
/** The claim round's UPDATE (claimDueEmails): the statement this path leaves out. */
const isClaim = (sql: string) => /^(with .* )?update "emails" set "status" = .*"attempts" = attempts \+ 1/is.test(sql);

const dir = mkdtempSync(join(tmpdir(), 'preclaim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store on a real SQLite file (group commit and all) or a fresh PostgreSQL schema, logging each statement's SQL to `seen`. */
async function loggedStore(dialect: 'sqlite' | 'postgres', seen: string[]): Promise<TestStore> {
  const log = (e: LogEvent) => {
    if (e.level === 'query') seen.push(e.query.sql);
  };
  if (dialect === 'sqlite') {
    const sqlite = createSqliteDialect(join(dir, `${crypto.randomUUID()}.db`));
    const db = new Kysely<Database>({ dialect: sqlite, log });
    return { ...createStore(db, 'sqlite', sqlite), dispose: () => db.destroy() };
  }
  const schema = await freshPostgresSchema('pc');
  const db = new Kysely<Database>({ dialect: createPostgresDialect(schema.url, 10), log });
  return {
    ...createStore(db, 'postgres'),
    async dispose() {
      await db.destroy();
      await schema.drop();
    },
  };
}

describe.each(DIALECTS)('emails an event claims for the local dispatcher on %s', (dialect) => {
  const seen: string[] = [];
  let store: TestStore;
  let sink: TestSmtpServer;
  let holding: TestSmtpServer;
  let h: Harness;

  beforeAll(async () => {
    store = await loggedStore(dialect, seen);
    sink = await startSmtpServer({ mode: 'plain' });
    holding = await startSmtpServer({ mode: 'plain', holdData: true });
    h = await createHarness(dialect, {
      store,
      env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`, MAIL_RATE_PER_SECOND: '10000', ALLOW_PRIVATE_SMTP_HOSTS: 'true', SMTP_PORTS: `${holding.port}` },
    });
  });
  afterAll(async () => {
    holding?.release?.();
    await h?.close();
    await store?.dispose();
    await sink?.close();
    await holding?.close();
  });

  /** A tenant whose program mails the event's participant p1 on every event. */
  async function mailingTenant(name: string) {
    const tenant = await h.tenant(name);
    const token = tenant.apiKey;
    const programId = (await h.request('POST', '/v1/programs', { token, body: { name: 'P' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token, body: HELLO_RULES })).status).toBeLessThan(300);
    expect((await h.request('PUT', '/v1/participants/p1', { token, body: { email: `p1@${name.toLowerCase()}.example.com` } })).status).toBeLessThan(300);
    const post = (id: string) => h.request('POST', `/v1/programs/${programId}/events`, { token, body: { id, type: 'signup', participantId: 'p1' } });
    return { ...tenant, post };
  }

  const rowOf = (id: string) => h.store.db.selectFrom('emails').selectAll().where('id', '=', id).executeTakeFirst();
  const dispatcher = (o: Partial<DispatcherOptions> = {}) => createDispatcher({ store: h.store, clock: h.clock, logger: silentLogger, senders: h.services.senders, ...o });
  const sentTo = (server: TestSmtpServer) => server.messages.map((m) => messageIdOf(m.raw));

  it('inserts the emails claimed by its dispatcher, which sends each once without a claim statement; the answer says queued', async () => {
    const t = await mailingTenant('Held');
    const connected = await h.request('PUT', '/v1/settings/email/smtp', { token: t.apiKey, body: { host: '127.0.0.1', port: holding.port, security: 'none' } });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    await h.services.dispatcher.idle();
    seen.length = 0;

    const res = await t.post('e-1');
    expect(res.status).toBe(201);
    // Accepted into the outbox: the answer is the same as a queued email's, and so is its replay.
    expect(res.body.emails).toMatchObject([{ status: 'queued', attempts: 0 }]);
    const emailId = res.body.emails[0].id;
    await eventually(() => holding.held!() === 1);
    const row = (await rowOf(emailId))!;
    expect(row).toMatchObject({ status: 'sending', attempts: 1 });
    expect(row.lease_holder).toEqual(expect.any(String));
    expect(Date.parse(row.lease_until!)).toBeGreaterThan(h.clock.now().getTime());

    holding.release!();
    await h.services.dispatcher.idle();
    expect(await rowOf(emailId)).toMatchObject({ status: 'sent', attempts: 1, lease_holder: null, lease_until: null });
    expect(sentTo(holding)).toEqual([row.message_id]);
    expect(seen.filter(isClaim), seen.join('\n')).toEqual([]);
    // The insert itself carried the claim.
    expect(seen.some((sql) => sql.startsWith('insert into "emails"') && sql.includes('"lease_holder"'))).toBe(true);
    const replay = await t.post('e-1');
    expect(replay.status).toBe(200);
    expect(replay.body.emails).toEqual(res.body.emails);
  });

  it("claims a reward's emails too (written with the reward's effects)", async () => {
    const tenant = await h.tenant('Rewarded');
    const token = tenant.apiKey;
    const programId = (await h.request('POST', '/v1/programs', { token, body: { name: 'P' } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token, body: referralRules });
    await h.request('PUT', '/v1/participants/bob', { token, body: { email: 'bob@example.com' } });
    await h.services.dispatcher.idle();
    seen.length = 0;
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token, body: { id: 's-1', type: 'signup', participantId: 'bob' } });
    expect(res.status).toBe(201);
    expect(res.body.rewards).toHaveLength(1);
    // The credit's email (the reward's effects) and the thank-you (the rule's email action).
    expect(res.body.emails.map((e: { status: string }) => e.status)).toEqual(['queued', 'queued']);
    await h.services.dispatcher.idle();
    const rows = await h.store.db.selectFrom('emails').select(['status', 'attempts', 'message_id']).where('tenant_id', '=', tenant.id).execute();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['sent', 1], ['sent', 1]]);
    expect(seen.filter(isClaim), seen.join('\n')).toEqual([]);
  });

  it('sends each email once when two instances on one database take events and deliver at the same time', async () => {
    // A second app on the same database: its own dispatcher, its own holder.
    const other = await createHarness(dialect, { store, env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`, MAIL_RATE_PER_SECOND: '10000' } });
    try {
      const t = await mailingTenant('Shared');
      const programId = (await h.request('GET', '/v1/programs', { token: t.apiKey })).body.programs[0].id;
      const post = (app: Harness, i: number) => app.request('POST', `/v1/programs/${programId}/events`, { token: t.apiKey, body: { id: `both-${i}`, type: 'signup', participantId: 'p1' } });
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(i % 2 === 0 ? h : other, i)));
      expect(answers.every((a) => a.status === 201)).toBe(true);
      // The kicks of another instance's events (none here) and the drains look for what is due: nothing is.
      await Promise.all([h.services.dispatcher.idle(), other.services.dispatcher.idle()]);
      await Promise.all([h.services.dispatcher.drain(), other.services.dispatcher.drain()]);
      const rows = await h.store.db.selectFrom('emails').select(['status', 'attempts', 'message_id']).where('tenant_id', '=', t.id).execute();
      expect(rows).toHaveLength(30);
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
      const ids = new Set(rows.map((r) => r.message_id));
      expect(sentTo(sink).filter((id) => ids.has(id!)).sort()).toEqual([...ids].sort());
    } finally {
      await other.close();
    }
  });

  it('leaves an email claimed by a process that died after the commit to another dispatcher once the lease runs out, with its Message-ID', async () => {
    const t = await mailingTenant('Died');
    const [row] = await emailRowsFor(h, t.id, 1, 'died');
    const dead = dispatcher({ leaseMs: 60_000 });
    const ticket = dead.preclaim(t.id)!;
    await inTransaction(h.store, (db) => insertEmailOnce(db, ticket.claim(row)));
    await h.store.durable();
    // The process ends here: the claim is committed and never taken into flights.

    expect(await h.services.dispatcher.drain()).toBe(0);
    expect(await rowOf(row.id)).toMatchObject({ status: 'sending', attempts: 1 });
    h.clock.advance(60_001);
    expect(await h.services.dispatcher.drain()).toBe(1);
    expect(await rowOf(row.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sentTo(sink).filter((id) => id === row.message_id)).toHaveLength(1);
  });

  it('gives the room back when a concurrent duplicate rolls back: one email, sent once, nothing left claimed', async () => {
    const t = await mailingTenant('Twice');
    const answers = await Promise.all([t.post('dup'), t.post('dup')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    await h.services.dispatcher.idle();
    const rows = await h.store.db.selectFrom('emails').selectAll().where('tenant_id', '=', t.id).execute();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['sent', 1]]);
    expect(sentTo(sink).filter((id) => id === rows[0].message_id)).toHaveLength(1);
  });

  it('gives the room back when the transaction fails, and counts a claim against the hold until then', async () => {
    const t = await mailingTenant('Rolled');
    const other = await mailingTenant('Other');
    // Room for one email in all.
    const d = dispatcher({ perTenant: 1, maxInFlight: 1, claimAhead: 1 });
    const [a, b] = await emailRowsFor(h, t.id, 2, 'rolled');
    const [o1] = await emailRowsFor(h, other.id, 1, 'rolled');
    const ticket = d.preclaim(t.id)!;
    await expect(
      inTransaction(h.store, async (db) => {
        expect(await insertEmailOnce(db, ticket.claim(a))).toBe(true);
        // The one place is taken by the claim above: another tenant's email would be queued.
        expect(d.preclaim(other.id)!.claim(o1).status).toBe('queued');
        throw new Error('the event failed');
      }),
    ).rejects.toThrow('the event failed');
    ticket.forsake();
    await d.idle();
    expect(await rowOf(a.id)).toBeUndefined();
    // The place is free again.
    const next = d.preclaim(t.id)!;
    expect(next.claim(b).status).toBe('sending');
    next.forsake();
    await d.idle();
  });

  it('sends nothing and hands the email back when the commit is not durable', async () => {
    const t = await mailingTenant('Lost');
    const [row] = await emailRowsFor(h, t.id, 1, 'lost');
    const d = dispatcher();
    const ticket = d.preclaim(t.id)!;
    await inTransaction(h.store, (db) => insertEmailOnce(db, ticket.claim(row)));
    // Here the rows did reach the table: the dispatcher must not send them on a commit it was told failed.
    expect(ticket.settle([row.id], Promise.reject(new Error('disk I/O error')))).toBe(0);
    await d.idle();
    expect(await rowOf(row.id)).toMatchObject({ status: 'queued', attempts: 0, lease_holder: null, lease_until: null });
    expect(sentTo(sink)).not.toContain(row.message_id);
    // Queued the old way, it goes out once.
    expect(await d.drain()).toBe(1);
    expect(sentTo(sink).filter((id) => id === row.message_id)).toHaveLength(1);
  });

  it('hands back, on stop(), the emails a transaction claimed that it had not started sending', async () => {
    const t = await mailingTenant('Stopped');
    const rows = await emailRowsFor(h, t.id, 2, 'stopped');
    const d = dispatcher();
    const ticket = d.preclaim(t.id)!;
    await inTransaction(h.store, async (db) => {
      for (const row of rows) expect(await insertEmailOnce(db, ticket.claim(row))).toBe(true);
    });
    let durable!: () => void;
    expect(ticket.settle(rows.map((r) => r.id), new Promise<void>((resolve) => (durable = resolve)))).toBe(0);
    const stopped = d.stop();
    expect(d.preclaim(t.id)).toBeNull();
    durable();
    await stopped;
    for (const row of rows) expect(await rowOf(row.id)).toMatchObject({ status: 'queued', attempts: 0, lease_holder: null });
    expect(sentTo(sink).filter((id) => rows.some((r) => r.message_id === id))).toEqual([]);
    expect(await h.services.dispatcher.drain()).toBe(2);
  });

  it("counts claimed emails in the hold limits: a tenant at its limit gets its new emails queued, behind which the next ones wait", async () => {
    const [x, y, z] = [await mailingTenant('Xen'), await mailingTenant('Yal'), await mailingTenant('Zed')];
    // One email held per tenant, two in all.
    const d = dispatcher({ perTenant: 1, maxInFlight: 2, claimAhead: 1 });
    const [x1, x2, x3] = await emailRowsFor(h, x.id, 3, 'hold');
    const [y1] = await emailRowsFor(h, y.id, 1, 'hold');
    const [z1] = await emailRowsFor(h, z.id, 1, 'hold');
    const tx = d.preclaim(x.id)!;
    expect(tx.claim(x1).status).toBe('sending');
    expect(tx.claim(x2).status).toBe('queued');
    expect(d.preclaim(y.id)!.claim(y1).status).toBe('sending');
    // Two held in all: nobody's next email is claimed.
    const tz = d.preclaim(z.id)!;
    expect(tz.claim(z1).status).toBe('queued');
    tx.forsake();
    // Room again, but the tenant has an email queued: the next one queues behind it, in order.
    expect(d.preclaim(x.id)!.claim(x3).status).toBe('queued');
    // Where outcomes are not batched (Workers), no claim is made this way.
    expect(dispatcher({ batchOutcomes: false }).preclaim(x.id)).toBeNull();
  });

  it('checks the suppression list at send time for an email it claimed', async () => {
    const t = await mailingTenant('Bounced');
    await addSuppression(h.store.db, { tenant_id: t.id, address: 'p1@bounced.example.com', reason: '550 5.1.1 user unknown', email_id: null, created_at: h.clock.now().toISOString() });
    const res = await t.post('s-1');
    expect(res.status).toBe(201);
    await h.services.dispatcher.idle();
    const row = (await rowOf(res.body.emails[0].id))!;
    expect(row).toMatchObject({ status: 'suppressed', attempts: 0, lease_holder: null });
    expect(sentTo(sink)).not.toContain(row.message_id);
  });
});
