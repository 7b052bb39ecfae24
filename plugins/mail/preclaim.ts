import type { EmailTable } from '../../runtime/store/database.ts';
import type { Logger } from '../../runtime/logger.ts';

/**
 * An event's emails, claimed by the local dispatcher as its transaction
 * inserts them. The dispatcher would otherwise claim them back from the
 * outbox (a statement and a commit) moments after the process wrote them and
 * while it still holds them in memory.
 *
 * Inserted claimed (`sending`, one attempt, this dispatcher's lease), they are
 * due to no one else while the lease holds; the dispatcher takes them into its
 * flights only once the commit is durable. A process that dies in between
 * leaves them to another instance when the lease runs out, with their
 * Message-IDs, as a claimed email always was.
 */
export type Preclaim = {
  /** The row to insert: claimed by this dispatcher when it has room for one more of the tenant's emails, else as it was (queued). */
  claim(row: EmailTable): EmailTable;
  /**
   * The transaction returned, having inserted the emails with these ids: the
   * claimed ones go to the dispatcher once `durable` resolves (handed back to
   * the outbox if it rejects), the rest of the room is given back. Returns
   * how many of them it did not claim: a claim round's (kick the dispatcher).
   */
  settle(insertedIds: readonly string[], durable: Promise<void>): number;
  /** The transaction rolled back: nothing it claimed exists; the room is given back. */
  forsake(): void;
};

export type PreclaimsOptions = {
  holder: string;
  leaseMs: number;
  nowMs(): number;
  /** Whether the dispatcher may hold one more of the tenant's emails, these reservations counted. */
  hasRoom(tenantId: string): boolean;
  /** Claimed rows whose commit is durable are waiting: `adopt()` soon (the dispatcher's pump runs it). */
  ready(): void;
  /** Takes a tenant's durable claimed rows into flights (suppression, sender, launch), or hands them back when stopping. */
  take(tenantId: string, rows: EmailTable[]): Promise<void>;
  /** Claimed rows of a commit that may have failed: handed back to the outbox if they exist after all. */
  handBack(rows: EmailTable[]): Promise<void>;
  /** Reservations were given back. */
  released(): void;
  logger: Logger;
};

export type Preclaims = {
  ticket(tenantId: string): Preclaim;
  /** Emails of the tenant's claimed and not yet taken into flights. */
  of(tenantId: string): number;
  readonly total: number;
  /** Takes the durable claimed rows (`take`), each tenant's in one pass; they count until taken. */
  adopt(): Promise<void>;
};

export function createPreclaims(o: PreclaimsOptions): Preclaims {
  const reserved = new Map<string, number>();
  let total = 0;
  let ready = new Map<string, EmailTable[]>();
  let readySoon = false;

  // A group commit makes many events durable at once, their settlements queued
  // together: a microtask lets them all in before the pass, so one suppression
  // read and one sender look-up serve the group.
  function signalReady() {
    if (readySoon) return;
    readySoon = true;
    queueMicrotask(() => {
      readySoon = false;
      o.ready();
    });
  }

  function reserve(tenantId: string) {
    reserved.set(tenantId, (reserved.get(tenantId) ?? 0) + 1);
    total++;
  }

  function release(tenantId: string, count: number) {
    if (count <= 0) return;
    const left = (reserved.get(tenantId) ?? count) - count;
    if (left > 0) reserved.set(tenantId, left);
    else reserved.delete(tenantId);
    total -= count;
    o.released();
  }

  function ticket(tenantId: string): Preclaim {
    const claimed = new Map<string, EmailTable>();
    let open = true;
    return {
      claim(row) {
        // Only mail due now: not a row stored failed (its template did not render) or one meant for later.
        if (!open || row.status !== 'queued' || (row.next_attempt_at !== null && Date.parse(row.next_attempt_at) > o.nowMs()) || !o.hasRoom(tenantId)) return row;
        reserve(tenantId);
        const stamped: EmailTable = { ...row, status: 'sending', attempts: row.attempts + 1, lease_holder: o.holder, lease_until: new Date(o.nowMs() + o.leaseMs).toISOString() };
        claimed.set(row.id, stamped);
        return stamped;
      },
      settle(insertedIds, durable) {
        open = false;
        const rows: EmailTable[] = [];
        for (const id of insertedIds) {
          const row = claimed.get(id);
          if (row) rows.push(row);
        }
        // Claimed, but their insert found the key taken: nothing of theirs exists.
        release(tenantId, claimed.size - rows.length);
        claimed.clear();
        // A commit that fails is the request's to report (503); with nothing claimed there is nothing to
        // hand back, but the rejection must still be handled here, or it would end the process.
        if (rows.length === 0) durable.catch(() => {});
        else {
          durable.then(
            () => {
              const waiting = ready.get(tenantId);
              if (waiting) waiting.push(...rows);
              else ready.set(tenantId, rows);
              signalReady();
            },
            // The commit failed (the request answers 503): its rows should not exist; any that do go back
            // to the outbox for a claim round, not to SMTP on a commit this process was told is lost.
            () => o.handBack(rows).finally(() => release(tenantId, rows.length)),
          );
        }
        return insertedIds.length - rows.length;
      },
      forsake() {
        open = false;
        release(tenantId, claimed.size);
        claimed.clear();
      },
    };
  }

  return {
    ticket,
    of: (tenantId) => reserved.get(tenantId) ?? 0,
    get total() {
      return total;
    },
    async adopt() {
      const taken = ready;
      ready = new Map();
      for (const [tenantId, rows] of taken) {
        try {
          await o.take(tenantId, rows);
        } catch (error) {
          // None launched (the launches come last, all at once): the outbox gets them back.
          o.logger.error('taking claimed emails failed; handed back', { tenantId, error });
          await o.handBack(rows);
        } finally {
          release(tenantId, rows.length);
        }
      }
    },
  };
}
