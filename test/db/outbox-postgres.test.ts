import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { createTestStore, type TestStore } from '../support/databases.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { generateSecretKey } from '../../runtime/security/secret-box.ts';
import { composeEmail } from '../../plugins/mail/compose.ts';
import { ALL_ON } from '../../plugins/mail/notification-switches.ts';
import { claimDueEmails, insertEmailOnce } from '../../runtime/store/email-queries.ts';
import type { EmailTable } from '../../runtime/store/database.ts';

// Two app processes of one deployment share one PostgreSQL database. Their
// dispatchers race for the same outbox; FOR UPDATE SKIP LOCKED and the lease
// must hand each email to exactly one of them.

const COUNT = 200;
const messageIdOf = (raw: string) => /^Message-ID:\s*(\S+)/im.exec(raw)?.[1];

/** Writes `count` emails to the outbox as the event service does, without kicking a dispatcher. */
async function queueEmails(h: Harness, tenantId: string, count: number): Promise<EmailTable[]> {
  const now = h.clock.now().toISOString();
  const env = { tenantId, program: null, templates: new Map(), switches: ALL_ON, now, messageIdDomain: h.services.config.MAIL_FROM.split('@')[1] };
  const rows: EmailTable[] = [];
  for (let i = 0; i < count; i++) {
    const recipient = { id: `p${i}`, email: `p${i}@example.com`, firstName: null, lastName: null, locale: null, countryCode: null, referredBy: null, w9OnFile: false, payoutInfoComplete: false, emailVerified: false, unsubscribed: false, referralFlags: [], createdAt: now };
    const row = (await composeEmail({ type: 'email-action', template: 'email-action', recipient, idempotencyKey: `race:${i}`, data: { data: { message: `n${i}` } } }, env))!;
    expect(await insertEmailOnce(h.services.store.db, row)).toBe(true);
    rows.push(row);
  }
  return rows;
}

describe('claims on a fresh PostgreSQL outbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('postgres');
  });
  afterAll(() => h?.close());

  // The table has no statistics yet, which is when the planner used to turn
  // `id IN (… LIMIT n FOR UPDATE SKIP LOCKED)` into a nested loop that re-ran
  // the subquery per row: one claim took all 200 and the other none.
  it('gives two simultaneous claims one batch each, of different emails', async () => {
    const tenant = await h.tenant('Acme');
    await queueEmails(h, tenant.id, COUNT);
    const now = h.clock.now();
    const lease = new Date(now.getTime() + 60_000).toISOString();
    const claim = (holder: string) => claimDueEmails(h.services.store.db, 'postgres', { now: now.toISOString(), leaseUntil: lease, holder, limit: 50 });
    const [x, y] = await Promise.all([claim('x'), claim('y')]);
    expect([x.length, y.length]).toEqual([50, 50]);
    expect(new Set([...x, ...y].map((e) => e.id)).size).toBe(100);
    expect([...x, ...y].every((e) => e.status === 'sending' && e.attempts === 1 && e.lease_until === lease)).toBe(true);
    expect(x.every((e) => e.lease_holder === 'x') && y.every((e) => e.lease_holder === 'y')).toBe(true);
  });
});

describe('two dispatchers on one PostgreSQL outbox', () => {
  let store: TestStore;
  let sink: TestSmtpServer;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    store = await createTestStore('postgres');
    sink = await startSmtpServer({ mode: 'plain' });
    const env = { SECRET_KEY: generateSecretKey(), BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`, MAIL_RATE_PER_SECOND: '10000' };
    // One after the other: both run the migrations, as two processes starting would.
    a = await createHarness('postgres', { store, env });
    b = await createHarness('postgres', { store, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.dispose();
    await sink?.close();
  });

  it(`sends each of ${COUNT} emails exactly once while both drain at the same time`, async () => {
    const tenant = await a.tenant('Acme');
    const queued = new Set((await queueEmails(a, tenant.id, COUNT)).map((r) => r.message_id));

    const [byA, byB] = await Promise.all([a.services.dispatcher.drain(), b.services.dispatcher.drain()]);
    expect(byA + byB).toBe(COUNT);

    const arrived = sink.messages.map((m) => messageIdOf(m.raw)!);
    expect(arrived).toHaveLength(COUNT);
    expect(new Set(arrived)).toEqual(queued);
    const rows = await store.db.selectFrom('emails').select(['status', 'attempts', 'lease_until']).execute();
    expect(rows).toHaveLength(COUNT);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.lease_until === null)).toBe(true);

    expect(await Promise.all([a.services.dispatcher.drain(), b.services.dispatcher.drain()])).toEqual([0, 0]);
    expect(sink.messages).toHaveLength(COUNT);
  });
});
