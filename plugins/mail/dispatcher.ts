import type { Store } from '../../runtime/store/store.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { EmailTable } from '../../runtime/store/database.ts';
import { claimDueEmails, finishAttempt, finishAttempts, releaseClaim, renewLeases, tenantsWithDueEmails, type AttemptOutcome, type Claim } from '../../runtime/store/email-queries.ts';
import { MailDeliveryError } from '../types.ts';
import type { Sender, SenderResolver } from './sender.ts';
import { backoffMs, DEFAULT_RETRY, type RetryPolicy } from './retry-policy.ts';
import type { SendRateLimiter } from './send-rate-limiter.ts';
import { recipientRejection } from './recipient-rejection.ts';
import { addSuppression, suppressedAmong } from '../../runtime/store/suppression-queries.ts';
import { unsubscribedAmong } from '../../runtime/store/participant-queries.ts';
import { isUnsubscribable } from './list-unsubscribe.ts';
import { buildOutgoingMail } from './outgoing-message.ts';
import type { SecretSealer } from './link-secret.ts';
import { createOutcomeBatch } from './outcome-batch.ts';
import { inTransaction } from '../../runtime/store/store.ts';
import { createPreclaims, type Preclaim } from './preclaim.ts';

export type { Preclaim } from './preclaim.ts';

export type DispatcherOptions = {
  store: Store;
  clock: Clock;
  logger: Logger;
  senders: SenderResolver;
  /** How long a claim holds without renewal; renewed every third of it while the send is in progress. */
  leaseMs?: number;
  /** Sends in progress at once, all tenants together. */
  maxInFlight?: number;
  /** Sends in progress at once for one tenant: a slow server holds at most this many of the slots. */
  perTenant?: number;
  /**
   * How many times its send slots a tenant's claims may hold: the emails past
   * its slots wait their turn under the same renewed lease, so one claim (one
   * commit) feeds several slots' worth of sends and the next claim is made
   * while the last ones are in progress. 3 by default; 1 where outcomes are
   * not batched (Workers: a request holds no more than it sends).
   */
  claimAhead?: number;
  retry?: RetryPolicy;
  rateLimiter?: SendRateLimiter;
  /** The one-click unsubscribe URL for an email of the unsubscribable kind; built as the message leaves, never stored. */
  listUnsubscribe?(email: EmailTable): Promise<string | undefined>;
  /** Opens the sealed token of a link (verification, password reset) as the message is built. */
  secrets?: SecretSealer;
  /**
   * Writes the outcomes of sends that finish together in one statement and
   * one commit (outcome-batch.ts), rather than one commit per send. Off on
   * Workers, where each send records its outcome in the request that made it.
   */
  batchOutcomes?: boolean;
  /**
   * How long a finished send's outcome waits for others to share its commit
   * (50 ms: about one claim's worth of sends at the bench's rate, so outcomes
   * ride the claims' commits; at 10 ms a commit came every 6 emails and the
   * fsyncs held the event loop a third of the time; `npm run bench`, mail table).
   */
  outcomeWindowMs?: number;
  /** How long a kick waits for others to join it, so a burst of events runs one claim, not one each. */
  wakeDelayMs?: number;
};

export type Dispatcher = {
  /** Delivers until nothing is due (tests, the Workers cron, shutdown); returns how many emails it handled. */
  drain(): Promise<number>;
  /** Asks for a claim soon; calls arriving during one coalesce into one more. */
  kick(): void;
  /** Resolves when no claim and no send is in progress. */
  idle(): Promise<void>;
  /** Shutdown: claims nothing more, hands back claimed emails not yet being sent, waits for the sends under way. */
  stop(): Promise<void>;
  /**
   * For a transaction about to insert the tenant's emails: claims them for
   * this dispatcher as they are inserted while it has room (preclaim.ts).
   * Null where it claims none that way (stopping; outcomes not batched, or a
   * store without transactions: Workers and D1).
   */
  preclaim(tenantId: string): Preclaim | null;
};

type Flight = { email: EmailTable; leaseUntil: number; lost: boolean };
type SlotWaiter = { tenantId: string; go(): void };


/**
 * Drains the outbox, fairly and one lease per message.
 *
 * Fair: claims are per tenant, round-robin over the tenants with mail due,
 * each tenant holding at most `perTenant` sends in progress; a finished send
 * frees its slot at once for the next email held (claims run `claimAhead`
 * times the slots ahead, so no send waits for a claim, nor a claim for a whole
 * batch). A tenant whose server answers slowly keeps its own slots busy and
 * nobody else's.
 *
 * Single: each claimed email carries its own lease, renewed while it is held
 * (waiting for a slot, the rate limiter, the pool, or a slow server), and
 * is handed to SMTP only while this dispatcher still holds it. A dispatcher
 * that stalls past its lease finds the email taken and lets it go. The one
 * duplicate left is the process dying after the server accepted a message and
 * before the outbox recorded it: the lease expires, another run sends it again
 * with the same Message-ID.
 *
 * The transport reports what happened; the retry decision is here.
 *
 * An event's own emails usually skip the claim: its transaction inserts them
 * claimed by this dispatcher while it has room, and they join the flights
 * once the commit is durable (preclaim.ts), under the same leases and limits.
 */
export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const leaseMs = o.leaseMs ?? 60_000;
  const maxInFlight = o.maxInFlight ?? 50;
  const perTenant = Math.min(o.perTenant ?? 16, maxInFlight);
  const ahead = Math.max(1, Math.floor(o.claimAhead ?? (o.batchOutcomes === false ? 1 : 3)));
  // What claims may hold: each tenant, and all together, `ahead` times their send slots.
  const holdPerTenant = perTenant * ahead;
  const holdTotal = maxInFlight * ahead;
  // A tenant is topped up once it holds no more than its slots (less a quarter
  // when it holds none ahead), not at every finished send: one claim (one
  // commit, an fsync on SQLite) then brings many emails, and those still held
  // keep the pool's connections busy while the claim runs.
  const refillAt = Math.max(1, ahead > 1 ? holdPerTenant - perTenant : perTenant - Math.ceil(perTenant / 4));
  const retry = o.retry ?? DEFAULT_RETRY;
  const holder = crypto.randomUUID();
  const db = o.store.db;
  const wakeDelayMs = o.wakeDelayMs ?? 0;
  // Batched, each outcome still conditional on this dispatcher's lease. Unbatched
  // (Workers), each send records its own outcome in the request that made it: a
  // shared write loop would leave other requests waiting on this one's I/O.
  const batch = createOutcomeBatch<AttemptOutcome>({
    // Relaxed (store.ts): losing an outcome to a power failure only sends that email again, with its Message-ID.
    // Where commits are not relaxed (PostgreSQL) no transaction: each outcome stands alone (conditional on the
    // lease), and BEGIN and COMMIT would be two more round trips per batch.
    write: (outcomes) =>
      o.store.relaxedCommits
        ? inTransaction(o.store, (tx) => finishAttempts(tx, o.store.dialect, holder, outcomes), { relaxed: true })
        : finishAttempts(db, o.store.dialect, holder, outcomes),
    windowMs: o.outcomeWindowMs ?? 50,
    // Written by the pump, with a claim when there is room for one, so the dispatcher's writes never overlap.
    due: () => {
      outcomesDue = true;
      pump();
    },
    idle: () => notify(),
  });
  // Batched, a send's slot is free once its outcome is queued for the next write;
  // the write stays conditional on the lease, and idle() waits for it.
  const finish = async (id: string, changes: AttemptOutcome) => {
    if (o.batchOutcomes === false) return void (await finishAttempt(db, id, holder, changes));
    batch.write(id, changes).catch((error) => o.logger.error('recording email outcomes failed', { emailId: id, error }));
  };

  // Held: claimed by this dispatcher and not finished (sending, or waiting for a slot).
  const flights = new Map<string, Flight>();
  const busy = new Map<string, number>();
  // Sending: holding one of the send slots (per tenant and in all).
  const sendingOf = new Map<string, number>();
  let sendingAll = 0;
  const slotQueue: SlotWaiter[] = [];
  let tenants: string[] = [];
  let discover = true;
  let roundsSinceDiscovery = 0;
  let pumping: Promise<void> | null = null;
  let again = false;
  let handled = 0;
  let waiters: (() => void)[] = [];
  let stopping = false;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let wake: ReturnType<typeof setTimeout> | null = null;
  let outcomesDue = false;

  // Emails an event's transaction claimed for this dispatcher (preclaim.ts): they
  // count against its hold limits from the insert on, and join the flights once durable.
  const preclaims = o.batchOutcomes === false || !o.store.transactions ? null : createPreclaims({
    holder,
    leaseMs,
    nowMs: () => nowMs(),
    hasRoom(tenantId) {
      // A tenant with mail due gets its new mail queued behind it, in order, for a claim round.
      if (stopping || tenants.includes(tenantId)) return false;
      if (heldOf(tenantId) < holdPerTenant && heldAll() < holdTotal) return true;
      tenants.push(tenantId);
      return false;
    },
    ready: () => pump(),
    // Taken as a claim round takes what it claimed; stopping, handed back.
    async take(tenantId, rows) {
      if (stopping) return handBack(rows);
      const sendable = await withoutSuppressed(tenantId, rows);
      const senderOf = o.senders.senderFor(tenantId);
      senderOf.catch(() => {}); // each send reports the failure itself
      for (const row of sendable) launch(row, Date.parse(row.lease_until!), senderOf);
    },
    handBack,
    released: () => notify(),
    logger: o.logger,
  });
  /** Emails of the tenant's this dispatcher holds: in flight, or claimed by a transaction and not taken yet. */
  const heldOf = (tenantId: string) => (busy.get(tenantId) ?? 0) + (preclaims?.of(tenantId) ?? 0);
  const heldAll = () => flights.size + (preclaims?.total ?? 0);

  const iso = (ms: number) => new Date(ms).toISOString();
  const nowMs = () => o.clock.now().getTime();

  function notify() {
    if (pumping || wake || batch.busy || heldAll() > 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  }

  // ---- leases -----------------------------------------------------------------

  async function renew(ids: string[]): Promise<void> {
    const until = nowMs() + leaseMs;
    const held = new Set(await renewLeases(db, holder, ids, iso(until)));
    for (const id of ids) {
      const f = flights.get(id);
      if (!f) continue;
      if (held.has(id)) f.leaseUntil = until;
      else f.lost = true;
    }
  }

  function startHeartbeat() {
    if (heartbeat) return;
    heartbeat = setInterval(() => {
      renew([...flights.keys()]).catch((error) => o.logger.error('lease renewal failed', { error }));
    }, Math.max(1, Math.floor(leaseMs / 3)));
  }

  function stopHeartbeat() {
    if (heartbeat && flights.size === 0) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  }

  /** True while this dispatcher may hand the email to SMTP: it holds the claim with at least half a lease to go. */
  async function stillHeld(f: Flight): Promise<boolean> {
    if (!f.lost && f.leaseUntil - nowMs() < leaseMs / 2) await renew([f.email.id]);
    return !f.lost;
  }

  // ---- send slots -------------------------------------------------------------

  const slotFree = (tenantId: string) => sendingAll < maxInFlight && (sendingOf.get(tenantId) ?? 0) < perTenant;

  function occupy(tenantId: string) {
    sendingAll++;
    sendingOf.set(tenantId, (sendingOf.get(tenantId) ?? 0) + 1);
  }

  /** Waits for a send slot of the tenant's; emails of one tenant get theirs in the order they were claimed. */
  function slot(tenantId: string): Promise<void> | undefined {
    if (slotFree(tenantId) && !slotQueue.some((w) => w.tenantId === tenantId)) return void occupy(tenantId);
    return new Promise((go) => slotQueue.push({ tenantId, go }));
  }

  function vacate(tenantId: string) {
    sendingAll--;
    const left = (sendingOf.get(tenantId) ?? 1) - 1;
    if (left > 0) sendingOf.set(tenantId, left);
    else sendingOf.delete(tenantId);
    for (let i = 0; i < slotQueue.length && sendingAll < maxInFlight; i++) {
      const w = slotQueue[i];
      if (!slotFree(w.tenantId)) continue;
      slotQueue.splice(i--, 1);
      occupy(w.tenantId);
      w.go();
    }
  }

  // ---- one send ---------------------------------------------------------------

  async function deliver(f: Flight, senderOf: Promise<Sender>) {
    const email = f.email;
    const now = () => o.clock.now().toISOString();
    let sender;
    try {
      sender = await senderOf;
      // Held ahead and stopped before its turn came: handed back without taking a rate slot.
      if (stopping) return void (await releaseClaim(db, email.id, holder, now()));
      await o.rateLimiter?.take(email.tenant_id);
      // Shutdown: what has not reached the server yet goes back to the outbox for the next instance.
      if (stopping) return void (await releaseClaim(db, email.id, holder, now()));
      if (!(await stillHeld(f))) {
        o.logger.warn('email lease lost before sending; another dispatcher has it', { emailId: email.id, tenantId: email.tenant_id });
        return;
      }
      const listUnsubscribe = await o.listUnsubscribe?.(email);
      const result = await sender.transport.send({ ...(await buildOutgoingMail(email, sender, o.secrets)), listUnsubscribe });
      await finish(email.id, { status: 'sent', last_response: result.response, sent_at: now(), sender: sender.name, updated_at: now() });
    } catch (error) {
      const failure = error instanceof MailDeliveryError ? error : new MailDeliveryError('transient', (error as Error).message);
      const retryable = failure.kind === 'transient' && email.attempts < retry.maxAttempts;
      const answer = failure.response ?? failure.message;
      await finish(email.id, {
        status: retryable ? 'queued' : 'failed',
        last_response: answer.slice(0, 1000),
        next_attempt_at: retryable ? new Date(nowMs() + backoffMs(email.attempts, retry)).toISOString() : null,
        sender: sender?.name ?? null,
        updated_at: now(),
      });
      if (failure.kind === 'auth') await o.senders.onAuthFailure?.(email.tenant_id, answer);
      const rejected = recipientRejection(failure);
      if (rejected) {
        await addSuppression(db, { tenant_id: email.tenant_id, address: email.to_address, reason: rejected.slice(0, 500), email_id: email.id, created_at: now() });
        // The address itself stays out of the log; GET /v1/suppressions names it to the tenant.
        o.logger.info('recipient rejected; address added to the suppression list', { emailId: email.id, tenantId: email.tenant_id });
      }
      o.logger.warn('email delivery failed', { emailId: email.id, tenantId: email.tenant_id, kind: failure.kind, attempts: email.attempts, retryable, response: answer.slice(0, 200) });
    }
  }

  function launch(email: EmailTable, leaseUntil: number, senderOf: Promise<Sender>) {
    const f: Flight = { email, leaseUntil, lost: false };
    flights.set(email.id, f);
    busy.set(email.tenant_id, (busy.get(email.tenant_id) ?? 0) + 1);
    startHeartbeat();
    void (async () => {
      await slot(email.tenant_id);
      try {
        await deliver(f, senderOf);
      } finally {
        vacate(email.tenant_id);
      }
    })()
      .catch((error) => o.logger.error('email delivery bookkeeping failed', { emailId: email.id, error }))
      .finally(() => {
        flights.delete(email.id);
        const left = (busy.get(email.tenant_id) ?? 1) - 1;
        if (left > 0) busy.set(email.tenant_id, left);
        else busy.delete(email.tenant_id);
        handled++;
        stopHeartbeat();
        pump();
        notify();
      });
  }

  // ---- claims -----------------------------------------------------------------

  /** Claimed emails this dispatcher will not send go back to the outbox, due now, their attempt not counted. */
  async function handBack(rows: EmailTable[]): Promise<void> {
    const now = o.clock.now().toISOString();
    await Promise.all(rows.map((r) => releaseClaim(db, r.id, holder, now))).catch((error) => o.logger.error('handing claimed emails back failed', { error }));
    discover = true;
  }

  /**
   * Settles the claimed emails whose address is on the tenant's suppression
   * list, or that are the unsubscribable kind for a participant who
   * unsubscribed (stored `suppressed`, never sent, never retried), and returns
   * the rest. Checked here, at the last moment, so mail queued before a bounce
   * or an unsubscribe is caught too.
   */
  async function withoutSuppressed(tenantId: string, rows: EmailTable[]): Promise<EmailTable[]> {
    if (rows.length === 0) return rows;
    const suppressed = await suppressedAmong(db, tenantId, rows.map((r) => r.to_address));
    const optional = rows.filter((r) => isUnsubscribable(r.type) && r.participant_id).map((r) => r.participant_id!);
    const unsubscribed = optional.length > 0 ? await unsubscribedAmong(db, tenantId, optional) : new Set<string>();
    if (suppressed.size === 0 && unsubscribed.size === 0) return rows;
    const now = o.clock.now().toISOString();
    const sendable: EmailTable[] = [];
    const settled: Promise<void>[] = [];
    for (const row of rows) {
      const optedOut = isUnsubscribable(row.type) && row.participant_id !== null && unsubscribed.has(row.participant_id);
      const reason = suppressed.get(row.to_address.toLowerCase()) ?? (optedOut ? 'the participant unsubscribed' : undefined);
      if (reason === undefined) sendable.push(row);
      // The claim counted an attempt; nothing was attempted.
      else settled.push(finish(row.id, { status: 'suppressed', attempts: row.attempts - 1, last_response: `suppressed: ${reason}`.slice(0, 1000), next_attempt_at: null, updated_at: now }));
    }
    await Promise.all(settled);
    handled += settled.length;
    return sendable;
  }

  /**
   * A claim, with the outcomes waiting for their batch written in the same
   * transaction: one commit where there would be two. On the embedded SQLite
   * the commit is relaxed (no fsync): a claim lost to a power failure went
   * with the process that held it, and its emails are due again, sent with
   * their Message-IDs, the duplicate the README documents.
   */
  async function claim(c: Claim): Promise<EmailTable[]> {
    if (o.batchOutcomes === false || !o.store.transactions) return claimDueEmails(db, o.store.dialect, c);
    const taken = batch.take();
    outcomesDue = false;
    // Nothing to carry: the claim alone, without BEGIN and COMMIT round trips around it (where a commit is not cheaper in a transaction).
    if (taken.outcomes.length === 0 && !o.store.relaxedCommits) return claimDueEmails(db, o.store.dialect, c);
    try {
      const { rows, written } = await inTransaction(
        o.store,
        async (tx) => {
          const written = taken.outcomes.length > 0 ? await finishAttempts(tx, o.store.dialect, holder, taken.outcomes) : new Set<string>();
          return { rows: await claimDueEmails(tx, o.store.dialect, c), written };
        },
        { relaxed: true },
      );
      // Committed before its emails are handed to a server: another dispatcher sees the claim (the embedded SQLite commits in groups).
      await o.store.durable();
      taken.settle(written);
      return rows;
    } catch (error) {
      taken.settle(null);
      throw error;
    }
  }

  /** One pass over the tenants with mail due, claiming what fits in each one's free slots. */
  async function claimRound(rediscover: boolean): Promise<number> {
    if (rediscover) {
      // Busy tenants are asked for too, but they do not crowd the list out: it is longer by as many.
      tenants = await tenantsWithDueEmails(db, o.clock.now().toISOString(), holder, maxInFlight + busy.size);
      discover = false;
      roundsSinceDiscovery = 0;
    }
    roundsSinceDiscovery++;
    let claimed = 0;
    const drained = new Set<string>();
    for (const tenantId of tenants) {
      const room = Math.min(holdPerTenant - heldOf(tenantId), holdTotal - heldAll());
      if (heldAll() >= holdTotal) break;
      // Outcomes waiting to be written lower the bar: the claim carries them, one commit for both.
      const topUp = outcomesDue || room >= refillAt || heldOf(tenantId) === 0 || room >= holdTotal - heldAll();
      if (room <= 0 || !topUp) continue;
      const now = nowMs();
      const leaseUntil = now + leaseMs;
      const rows = await claim({ now: iso(now), leaseUntil: iso(leaseUntil), holder, limit: room, tenantId });
      if (rows.length < room) drained.add(tenantId);
      const sendable = await withoutSuppressed(tenantId, rows);
      if (sendable.length === 0) continue;
      // One look-up of who carries the tenant's mail serves the whole claim.
      const senderOf = o.senders.senderFor(tenantId);
      senderOf.catch(() => {}); // each send reports the failure itself
      for (const row of sendable) launch(row, leaseUntil, senderOf);
      claimed += rows.length;
    }
    // Round-robin: the tenant served first this time goes last next time.
    tenants = tenants.filter((t) => !drained.has(t));
    if (tenants.length > 1) tenants.push(tenants.shift()!);
    return claimed;
  }

  async function fill() {
    while (!stopping && heldAll() < holdTotal) {
      // An empty list while sends are in progress is no reason to look on every
      // finished send: the tail of a backlog (its tenant drained, up to its held
      // emails still going out) ran the look once per email.
      const fresh = discover || (tenants.length === 0 && flights.size === 0);
      let claimed = await claimRound(fresh);
      // Nothing claimable among the tenants we know of: look for others (another
      // instance may have queued them; our own kicks say so at once). Always
      // before going idle, so drain() means "nothing due"; otherwise once per
      // turnover of the slots, which bounds the cost of the look while busy
      // tenants keep finishing sends one by one.
      if (claimed === 0 && !fresh && heldAll() < holdTotal && (flights.size === 0 || roundsSinceDiscovery >= maxInFlight)) {
        claimed = await claimRound(true);
      }
      if (claimed === 0) return;
    }
  }

  function pump() {
    if (pumping) {
      again = true;
      return;
    }
    pumping = (async () => {
      do {
        again = false;
        try {
          await preclaims?.adopt();
          await fill();
          // Outcomes whose window ended with no claim to carry them get a commit of their own;
          // so do those left when nothing is in progress: no other send can join them.
          if (outcomesDue || (flights.size === 0 && batch.busy)) {
            outcomesDue = false;
            await batch.flush();
          }
        } catch (error) {
          o.logger.error('dispatcher run failed', { error });
          return;
        }
      } while (again);
    })().finally(() => {
      pumping = null;
      notify();
    });
  }

  async function idle() {
    while (pumping || wake || batch.busy || heldAll() > 0) await new Promise<void>((resolve) => waiters.push(resolve));
  }

  return {
    async drain() {
      await idle();
      const before = handled;
      discover = true;
      pump();
      await idle();
      return handled - before;
    },
    kick() {
      if (stopping) return;
      // New mail may be a tenant we have not seen yet.
      discover = true;
      if (wake) return;
      wake = setTimeout(() => {
        wake = null;
        pump();
      }, wakeDelayMs);
    },
    idle,
    preclaim(tenantId) {
      return preclaims && !stopping ? preclaims.ticket(tenantId) : null;
    },
    async stop() {
      stopping = true;
      // Emails held ahead of a slot go back now, not after the sends in progress
      // (a slow server's could take until the shutdown deadline); they send nothing.
      for (const w of slotQueue.splice(0)) {
        occupy(w.tenantId);
        w.go();
      }
      await idle();
    },
  };
}
