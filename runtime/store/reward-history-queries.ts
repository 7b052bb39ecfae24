import type { Db } from './store.ts';
import type { EmailTable, RewardHistoryTable, RewardTable } from './database.ts';
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
 * round trip instead of two inside the event's transaction), and the emails
 * the event queues with it (each inserted once by its idempotency key, as
 * insertEmailOnce does). The step is inserted from the reward's `returning`,
 * so it exists exactly when the reward was new. `created` says whether the
 * reward was; `queued`, per email, whether it was new. SQLite and D1 have no
 * writes in WITH: they run insertRewardOnce, insertRewardHistory and
 * insertEmailOnce one by one.
 */
export async function insertRewardWithHistory(
  db: Db,
  reward: RewardTable,
  history: Omit<RewardHistoryTable, 'reward_id'>,
  emails: readonly EmailTable[] = [],
): Promise<{ created: boolean; queued: boolean[] }> {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(reward)) values[`r.${k}`] = v;
  for (const [k, v] of Object.entries(history)) values[`h.${k}`] = v;
  emails.forEach((email, i) => {
    for (const [k, v] of Object.entries(email)) values[`e${i}.${k}`] = v;
  });
  const columns = Object.keys(history).filter((k) => (history as Record<string, unknown>)[k] !== undefined) as (keyof RewardHistoryTable)[];
  const key = `insertRewardWithHistory:${definedColumns(reward)}:${columns.join(',')}${emails.map((e) => `:e:${definedColumns(e)}`).join('')}`;
  const result = await runShaped(db, key, values, (slot) => {
    const prefixed = (prefix: string): Slot => (name) => slot(`${prefix}.${name}`);
    const h = prefixed('h');
    let q = db
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
      );
    // The email CTEs' names vary with their number, which Kysely's types cannot follow.
    emails.forEach((email, i) => {
      const withEmail = q.with(`e${i}`, (qc) =>
        qc
          .insertInto('emails')
          .values(rowSlots(email, prefixed(`e${i}`)))
          .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
          .returning('id'),
      );
      q = withEmail as unknown as typeof q;
    });
    return q.selectNoFrom((eb) => [
      eb.selectFrom('r').select(eb.fn.countAll<string | number>().as('n')).as('inserted'),
      ...emails.map((_, i) => eb.selectFrom(`e${i}` as 'r').select(eb.fn.countAll<string | number>().as('n')).as(`e${i}`)),
    ]);
  });
  const row = (result.rows[0] ?? {}) as Record<string, string | number | null>;
  return { created: Number(row.inserted ?? 0) === 1, queued: emails.map((_, i) => Number(row[`e${i}`] ?? 0) === 1) };
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
