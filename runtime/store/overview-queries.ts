import { sql } from 'kysely';
import type { Db } from './store.ts';

// A program's numbers for its overview page. Every query is one index range:
// events_program_created and rewards_program over the window, rewards_program_status
// for the pending ones, emails_log (tenant, created_at) over the window and
// emails_due_by_tenant for the outbox, so a page view costs the window's rows
// at most, never the program's history. Days are UTC calendar days.

const day = sql<string>`substr(created_at, 1, 10)`;

export async function eventsPerDay(db: Db, tenantId: string, programId: string, since: string) {
  const rows = await db
    .selectFrom('events')
    .select([day.as('day'), sql<number>`count(*)`.as('n')])
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .where('created_at', '>=', since)
    .groupBy(day)
    .execute();
  return rows.map((r) => ({ day: r.day, n: Number(r.n) }));
}

/** Count and value by status and currency; a percent discount counts but has no value to add up. */
export async function rewardsByStatus(db: Db, tenantId: string, programId: string, since: string) {
  const rows = await db
    .selectFrom('rewards')
    .select(['status', 'currency', sql<number>`count(*)`.as('n'), sql<number>`sum(case when kind = 'percent_discount' then 0 else amount_minor end)`.as('value')])
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .where('occurred_at', '>=', since)
    .groupBy(['status', 'currency'])
    .execute();
  return rows.map((r) => ({ status: r.status, currency: r.currency, n: Number(r.n), valueMinor: Number(r.value ?? 0) }));
}

/** Rewards held for a person's review (reason `review` among the pending reasons), of any age. */
export async function pendingReviewCount(db: Db, tenantId: string, programId: string) {
  const row = await db
    .selectFrom('rewards')
    .select(sql<number>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .where('status', '=', 'pending')
    // pending_reasons is a sorted comma-separated list of known words: a whole-word match.
    .where(sql<boolean>`(',' || pending_reasons || ',') like '%,review,%'`)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function emailsPerDay(db: Db, tenantId: string, programId: string, since: string) {
  const rows = await db
    .selectFrom('emails')
    .select([day.as('day'), 'status', sql<number>`count(*)`.as('n')])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>=', since)
    .where('program_id', '=', programId)
    .where('status', 'in', ['sent', 'failed', 'suppressed'])
    .groupBy([day, 'status'])
    .execute();
  return rows.map((r) => ({ day: r.day, status: r.status as 'sent' | 'failed' | 'suppressed', n: Number(r.n) }));
}

export async function programOutbox(db: Db, tenantId: string, programId: string) {
  const rows = await db
    .selectFrom('emails')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', ['queued', 'sending'])
    .where('program_id', '=', programId)
    .groupBy('status')
    .execute();
  const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { queued: count('queued'), sending: count('sending') };
}

/** The tenant-wide things that stop a program's mail or announcements: few rows, one tenant's. */
export async function attentionFacts(db: Db, tenantId: string) {
  const settings = await db
    .selectFrom('email_settings')
    .select(['smtp_host', 'smtp_status', 'smtp_last_error', 'domain', 'domain_status'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const endpoints = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'url', 'status', 'disabled_reason', 'failing_since'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('status', '=', 'disabled'), eb('failing_since', 'is not', null)]))
    .orderBy('created_at')
    .limit(50)
    .execute();
  return { settings, endpoints };
}
