import { sql } from 'kysely';
import type { Db } from './store.ts';

// The store reads behind the referral checks (plugins/referral-checks/):
// each one statement with a bound, whatever the tenant's data looks like.

/**
 * Who referred `referrerId`, who referred them, and so on: at most `max` ids,
 * nearest first. One recursive statement (SQLite, PostgreSQL and D1 all have
 * WITH RECURSIVE), its depth bounded, so a long or looping chain costs at most
 * `max` index lookups.
 */
export async function referrerChain(db: Db, tenantId: string, referrerId: string, max: number): Promise<string[]> {
  const rows = await sql<{ id: string; depth: number }>`
    with recursive chain(id, depth) as (
      select referred_by, 1 from participants where tenant_id = ${tenantId} and id = ${referrerId} and referred_by is not null
      union all
      select p.referred_by, chain.depth + 1 from chain
        join participants p on p.tenant_id = ${tenantId} and p.id = chain.id
        where p.referred_by is not null and chain.depth < ${max}
    )
    select id, depth from chain order by depth limit ${max}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** How many participants `referrerId` referred with created_at in (from, to]: an index range (participants_referred_created). */
export async function referralsBetween(db: Db, tenantId: string, referrerId: string, from: string, to: string): Promise<number> {
  const row = await db
    .selectFrom('participants')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('referred_by', '=', referrerId)
    .where('created_at', '>', from)
    .where('created_at', '<=', to)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Which of these values (at most 90: D1 binds 100 parameters) the tenant blocked. */
export async function blockedAmong(db: Db, tenantId: string, values: readonly string[]): Promise<string[]> {
  if (values.length === 0) return [];
  const rows = await db.selectFrom('referral_blocks').select('value').where('tenant_id', '=', tenantId).where('value', 'in', values.slice(0, 90)).execute();
  return rows.map((r) => r.value);
}

export async function listReferralBlocks(db: Db, tenantId: string) {
  return db.selectFrom('referral_blocks').select(['value', 'created_at']).where('tenant_id', '=', tenantId).orderBy('value').execute();
}

/** Replaces the tenant's list; rows kept keep their created_at. In slices: D1 binds at most 100 parameters. */
export async function replaceReferralBlocks(db: Db, tenantId: string, values: readonly string[], now: string): Promise<void> {
  const kept = new Map((await listReferralBlocks(db, tenantId)).map((r) => [r.value, r.created_at]));
  await db.deleteFrom('referral_blocks').where('tenant_id', '=', tenantId).execute();
  const rows = values.map((value) => ({ tenant_id: tenantId, value, created_at: kept.get(value) ?? now }));
  for (let i = 0; i < rows.length; i += 30) await db.insertInto('referral_blocks').values(rows.slice(i, i + 30)).execute();
}
