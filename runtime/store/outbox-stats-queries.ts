import { sql } from 'kysely';
import type { Db } from './store.ts';
import { migrations } from '../../migrations/index.ts';

// Read-only numbers for probes and metrics, across all tenants. Every query
// uses the emails_due index (status first); 'sent' rows, which grow without
// bound, are never counted here (the attempts counter covers them).

export type OutboxStats = {
  queued: number;
  sending: number;
  failed: number;
  /** Due time of the oldest email waiting to go out now (ISO), or null. */
  oldestDueAt: string | null;
  /** Leases held right now (emails being sent) and leases past their end (a dispatcher died mid-send). */
  leased: number;
  expiredLeaseSince: string | null;
};

/** Across all tenants (probes, metrics), or one tenant's (its console). */
export async function outboxStats(db: Db, now: string, tenantId?: string): Promise<OutboxStats> {
  const scoped = () => (tenantId === undefined ? db.selectFrom('emails') : db.selectFrom('emails').where('tenant_id', '=', tenantId));
  const counts = await scoped()
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('status', 'in', ['queued', 'sending', 'failed'])
    .groupBy('status')
    .execute();
  const count = (status: string) => Number(counts.find((r) => r.status === status)?.n ?? 0);
  const due = await scoped()
    .select(sql<string | null>`min(coalesce(next_attempt_at, created_at))`.as('at'))
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .executeTakeFirst();
  const leases = await scoped()
    .select([sql<number>`sum(case when lease_until >= ${now} then 1 else 0 end)`.as('held'), sql<string | null>`min(case when lease_until < ${now} then lease_until end)`.as('expired')])
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return {
    queued: count('queued'),
    sending: count('sending'),
    failed: count('failed'),
    oldestDueAt: due?.at ?? null,
    leased: Number(leases?.held ?? 0),
    expiredLeaseSince: leases?.expired ?? null,
  };
}

/** Migrations this build knows that the database has not applied (empty when up to date). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const applied = new Set(rows.map((r) => r.name));
  return Object.keys(migrations).filter((name) => !applied.has(name));
}
