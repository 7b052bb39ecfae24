import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { inTransaction } from '../store/store.ts';
import { listReferralBlocks, replaceReferralBlocks } from '../store/referral-check-queries.ts';
import { normalizeMailbox } from '../../plugins/referral-checks/mailbox.ts';

/** A tenant's blocked addresses and domains: the `blocked` referral check looks each referral up here. */
export async function getReferralBlocks(services: Services, tenant: Tenant) {
  const rows = await listReferralBlocks(services.store.db, tenant.id);
  return { blocks: rows.map((r) => ({ value: r.value, createdAt: r.created_at })) };
}

/** How a block is stored: an address in its canonical spelling (so `J.Doe+x@Gmail.com` blocks `jdoe@gmail.com`), a domain lower-cased. */
export function canonicalBlock(value: string): string {
  const v = value.trim().toLowerCase().replace(/\.$/, '');
  return v.includes('@') ? normalizeMailbox(v) : v;
}

/** Replaces the whole list (already validated and bounded by the route) in one transaction. */
export async function putReferralBlocks(services: Services, tenant: Tenant, values: readonly string[]) {
  const canonical = [...new Set(values.map(canonicalBlock))].sort();
  const now = services.clock.now().toISOString();
  await inTransaction(services.store, (db) => replaceReferralBlocks(db, tenant.id, canonical, now));
  return getReferralBlocks(services, tenant);
}
