import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { referralRules } from '../api/fixtures.ts';
import { eventually, queueEmails } from '../support/outbox-fixtures.ts';
import { createDispatcher } from '../../plugins/mail/dispatcher.ts';
import { silentLogger } from '../../runtime/logger.ts';

// A shutdown's part of the outbox: the send under way finishes, an email the
// dispatcher claimed but had not started goes back to the queue unspent, and
// nothing is claimed afterwards.

/** A real relay that holds each message's final reply until the test lets it go. */
async function startHoldingRelay() {
  const received: string[] = [];
  let arrived!: () => void;
  const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
  const held: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        held.push(() => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
        arrived();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    firstArrived,
    release: () => held.splice(0).forEach((reply) => reply()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(DIALECTS)('stopping the dispatcher on %s', (dialect) => {
  let h: Harness;
  let relay: Awaited<ReturnType<typeof startHoldingRelay>>;
  afterEach(async () => {
    relay?.release();
    await h?.close();
    await relay?.close();
  });

  it('finishes the send under way, hands back the claimed email it had not started, and claims nothing more', async () => {
    relay = await startHoldingRelay();
    // One send per second per tenant: the second claimed email waits for its turn.
    h = await createHarness(dialect, { env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${relay.port}?starttls=off`, MAIL_RATE_PER_SECOND: '1' } });
    const tenant = await h.tenant();
    const program = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'P' } })).body;
    await h.request('PUT', `/v1/programs/${program.id}/rules`, { token: tenant.apiKey, body: referralRules });
    await h.request('PUT', '/v1/participants/bob', { token: tenant.apiKey, body: { email: 'bob@example.com' } });
    // A signup queues two emails (the credit's and the thank-you) and wakes the dispatcher.
    expect((await h.request('POST', `/v1/programs/${program.id}/events`, { token: tenant.apiKey, body: { id: 's-1', type: 'signup', participantId: 'bob' } })).status).toBe(201);

    await relay.firstArrived;
    const stopped = h.services.dispatcher.stop();
    relay.release();
    await stopped;

    const emails = (await h.request('GET', '/v1/emails', { token: tenant.apiKey })).body.emails;
    expect(emails.map((e: any) => [e.status, e.attempts]).sort()).toEqual([
      ['queued', 0],
      ['sent', 1],
    ]);
    expect(relay.received).toHaveLength(1);
    const row = await h.store.db.selectFrom('emails').select(['lease_until', 'next_attempt_at']).where('status', '=', 'queued').executeTakeFirstOrThrow();
    expect(row.lease_until).toBeNull();

    h.services.dispatcher.kick();
    await h.services.dispatcher.idle();
    expect((await h.request('GET', '/v1/emails', { token: tenant.apiKey })).body.emails.filter((e: any) => e.status === 'queued')).toHaveLength(1);
  });

  it('hands back the emails it held ahead of a send slot at once, while the send under way is still waiting for its server', async () => {
    relay = await startHoldingRelay();
    h = await createHarness(dialect, { env: { BUILTIN_SMTP_URL: `smtp://127.0.0.1:${relay.port}?starttls=off`, MAIL_RATE_PER_SECOND: '10000' } });
    const tenant = await h.tenant();
    await queueEmails(h, tenant.id, 3, 'ahead');
    // One slot, three held: two wait their turn behind the send the relay holds.
    const dispatcher = createDispatcher({ store: h.services.store, clock: h.clock, logger: silentLogger, senders: h.services.senders, perTenant: 1, claimAhead: 3 });
    void dispatcher.drain();
    await relay.firstArrived;
    const stopped = dispatcher.stop();
    const statuses = () => h.store.db.selectFrom('emails').select(['status', 'attempts', 'lease_holder']).where('tenant_id', '=', tenant.id).execute();
    await eventually(async () => (await statuses()).filter((e) => e.status === 'queued').length === 2);
    expect((await statuses()).filter((e) => e.status === 'queued').every((e) => e.attempts === 0 && e.lease_holder === null)).toBe(true);

    relay.release();
    await stopped;
    expect(relay.received).toHaveLength(1);
    expect((await statuses()).map((e) => e.status).sort()).toEqual(['queued', 'queued', 'sent']);
  });
});
