import type { Db } from './store.ts';
import type { RewardHistoryTable, RewardTable } from './database.ts';
import { definedColumns, rowSlots, runShaped, type Slot } from './compiled-shapes.ts';

/** Adds one transition; false when its idempotency key was used for this reward already. */
export async function insertRewardHistory(db: Db, row: RewardHistoryTable): Promise<boolean> {
  const result = await runShaped(db, `insertRewardHistory:${definedColumns(row)}`, row, (slot) =>
    db
      .insertInto('reward_history')
      .values(rowSlots(row, slot))
      .onConflict((oc) => oc.columns(['tenant_id', 'reward_id', 'idempotency_key']).doNothing()),
  );
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * PostgreSQL: a new reward and its first history step in one statement (one
 * round trip instead of two inside the event's transaction). The step is
 * inserted from the reward's `returning`, so it exists exactly when the
 * reward was new; true then, false when the reward's key was taken already.
 * SQLite and D1 have no writes in WITH: they run insertRewardOnce and then
 * insertRewardHistory, as before.
 */
export async function insertRewardWithHistory(db: Db, reward: RewardTable, history: Omit<RewardHistoryTable, 'reward_id'>): Promise<boolean> {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(reward)) values[`r.${k}`] = v;
  for (const [k, v] of Object.entries(history)) values[`h.${k}`] = v;
  const columns = Object.keys(history).filter((k) => (history as Record<string, unknown>)[k] !== undefined) as (keyof RewardHistoryTable)[];
  const key = `insertRewardWithHistory:${definedColumns(reward)}:${columns.join(',')}`;
  const result = await runShaped(db, key, values, (slot) => {
    const prefixed = (prefix: string): Slot => (name) => slot(`${prefix}.${name}`);
    const h = prefixed('h');
    return db
      .with('r', (qc) =>
        qc
          .insertInto('rewards')
          .values(rowSlots(reward, prefixed('r')))
          .onConflict((oc) => oc.columns(['tenant_id', 'event_id', 'rule_name', 'participant_id']).doNothing())
          .returning('id'),
      )
      .with('h', (qc) =>
        qc
          .insertInto('reward_history')
          .columns([...columns, 'reward_id'])
          .expression((eb) => eb.selectFrom('r').select([...columns.map((c) => eb.val(h(c)).as(c)), 'r.id as reward_id'])),
      )
      .selectFrom('r')
      .select((eb) => eb.fn.countAll<string | number>().as('inserted'));
  });
  return Number((result.rows[0] as { inserted: string | number } | undefined)?.inserted ?? 0) === 1;
}

/** The history of some rewards of one tenant, oldest first. */
export async function listRewardHistory(db: Db, tenantId: string, rewardIds: readonly string[]) {
  if (rewardIds.length === 0) return [];
  return db
    .selectFrom('reward_history')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('reward_id', 'in', rewardIds)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

export async function findRedemption(db: Db, tenantId: string, rewardId: string, idempotencyKey: string) {
  return db
    .selectFrom('reward_history')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('reward_id', '=', rewardId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}
