import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { queueEmails } from '../support/outbox-fixtures.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { messageIdOf } from '../support/outbox-fixtures.ts';
import { claimDueEmails, finishAttempts } from '../../runtime/store/email-queries.ts';

// Outcomes written many at a time (one statement per batch, plugins/mail/outcome-batch.ts):
// each row gets its own outcome, and only while the writer still holds its lease.

describe.each(DIALECTS)('finishing attempts in batches on %s', (dialect) => {
  let h: Harness;
  let sink: TestSmtpServer;

  beforeAll(async () => {
    sink = await startSmtpServer({ mode: 'plain' });
    h = await createHarness(dialect, { env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`, MAIL_RATE_PER_SECOND: '10000' } });
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
  });

  it('writes each outcome to its own row, only where the lease is still ours, and leaves unnamed columns alone', async () => {
    const tenant = await h.tenant('Batch');
    const db = h.services.store.db;
    const rows = await queueEmails(h, tenant.id, 5, 'batch');
    const now = h.clock.now().toISOString();
    const leaseUntil = new Date(h.clock.now().getTime() + 60_000).toISOString();
    const claim = (holder: string, limit: number) => claimDueEmails(db, h.services.store.dialect, { now, leaseUntil, holder, limit, tenantId: tenant.id });
    const mine = await claim('me', 3);
    const theirs = await claim('them', 1);
    expect(mine).toHaveLength(3);
    const [sent, failed, suppressed] = mine;

    const written = await finishAttempts(db, h.services.store.dialect, 'me', [
      { id: sent.id, changes: { status: 'sent', last_response: '250 queued as A', sent_at: now, sender: 'built-in', updated_at: now } },
      { id: failed.id, changes: { status: 'failed', last_response: '554 rejected', next_attempt_at: null, updated_at: now } },
      { id: suppressed.id, changes: { status: 'suppressed', attempts: 0, last_response: 'suppressed: bounced', next_attempt_at: null, updated_at: now } },
      // Not ours: another dispatcher holds it.
      { id: theirs[0].id, changes: { status: 'failed', last_response: 'must not land', updated_at: now } },
    ]);
    expect([...written].sort()).toEqual([sent.id, failed.id, suppressed.id].sort());

    const after = new Map(
      (await db.selectFrom('emails').select(['id', 'status', 'attempts', 'last_response', 'next_attempt_at', 'sent_at', 'sender', 'lease_holder', 'lease_until']).where('tenant_id', '=', tenant.id).execute()).map((r) => [r.id, r]),
    );
    // next_attempt_at is not named by a sent outcome: it keeps what the row had.
    expect(after.get(sent.id)).toEqual({ id: sent.id, status: 'sent', attempts: 1, last_response: '250 queued as A', next_attempt_at: sent.next_attempt_at, sent_at: now, sender: 'built-in', lease_holder: null, lease_until: null });
    expect(after.get(failed.id)).toMatchObject({ status: 'failed', attempts: 1, last_response: '554 rejected', next_attempt_at: null, sent_at: null, sender: null, lease_holder: null });
    expect(after.get(suppressed.id)).toMatchObject({ status: 'suppressed', attempts: 0, last_response: 'suppressed: bounced', next_attempt_at: null, lease_holder: null });
    expect(after.get(theirs[0].id)).toMatchObject({ status: 'sending', last_response: null, lease_holder: 'them', lease_until: leaseUntil });
    expect(after.get(rows.find((r) => !mine.concat(theirs).some((m) => m.id === r.id))!.id)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('splits a batch into statements under D1’s parameter limit without losing a row', async () => {
    const tenant = await h.tenant('Slices');
    const db = h.services.store.db;
    await queueEmails(h, tenant.id, 25, 'slices');
    const now = h.clock.now().toISOString();
    const claimed = await claimDueEmails(db, h.services.store.dialect, { now, leaseUntil: new Date(h.clock.now().getTime() + 60_000).toISOString(), holder: 'me', limit: 25, tenantId: tenant.id });
    expect(claimed).toHaveLength(25);
    // 'd1' sizes the statements for 100 parameters: 25 outcomes of 5 columns need several.
    const written = await finishAttempts(
      db,
      'd1',
      'me',
      claimed.map((c, i) => ({ id: c.id, changes: { status: 'sent' as const, last_response: `250 ${i}`, sent_at: now, sender: 'built-in', updated_at: now } })),
    );
    expect(written.size).toBe(25);
    const after = await db.selectFrom('emails').select(['id', 'status', 'last_response']).where('tenant_id', '=', tenant.id).execute();
    const index = new Map(claimed.map((c, i) => [c.id, i]));
    for (const row of after) expect(row).toEqual({ id: row.id, status: 'sent', last_response: `250 ${index.get(row.id)}` });
  });

  it('records every send of a drain, with the outcomes written together', async () => {
    const tenant = await h.tenant('Drain');
    const rows = await queueEmails(h, tenant.id, 40, 'drain');
    // The earlier tests leave one queued email of their own; it goes too.
    const queued = await h.services.store.db.selectFrom('emails').select('id').where('status', '=', 'queued').execute();
    expect(await h.services.dispatcher.drain()).toBe(queued.length);
    // drain() resolves only once the outcomes are written, not merely sent.
    const after = await h.services.store.db.selectFrom('emails').select(['status', 'attempts', 'lease_holder']).where('tenant_id', '=', tenant.id).execute();
    expect(after.every((r) => r.status === 'sent' && r.attempts === 1 && r.lease_holder === null)).toBe(true);
    const received = sink.messages.map((m) => messageIdOf(m.raw));
    for (const row of rows) expect(received.filter((id) => id === row.message_id)).toHaveLength(1);
  });
});
