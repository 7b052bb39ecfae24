import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { inTransaction, type Db } from '../store/store.ts';
import { findReward, listRewards, redeemRewardRow, restoreRedemption } from '../store/reward-queries.ts';
import { findRedemption, listRewardHistory } from '../store/reward-history-queries.ts';
import { lockParticipant } from '../store/participant-queries.ts';
import { findRuleVersion } from '../store/program-queries.ts';
import { findEvent } from '../store/event-queries.ts';
import type { RewardTable } from '../store/database.ts';
import type { Ruleset } from '../../rules/schema.ts';
import { endRemindersIfNothingWaits, moveReward, recordTransition } from './reward-transitions.ts';
import { rewardView } from './views.ts';
import { parseFlags } from '../../plugins/referral-checks/flags.ts';

async function withHistory(db: Db, tenantId: string, row: RewardTable) {
  return rewardView(row, await listRewardHistory(db, tenantId, [row.id]));
}

async function mustFind(db: Db, tenantId: string, id: string) {
  const row = await findReward(db, tenantId, id);
  if (!row) throw new AppError('not_found', 'reward not found');
  return row;
}

export async function getReward(services: Services, tenant: Tenant, rewardId: string) {
  const db = services.store.db;
  return withHistory(db, tenant.id, await mustFind(db, tenant.id, rewardId));
}

/** A participant's rewards, newest first, each with its history. */
export async function participantRewards(services: Services, tenant: Tenant, participantId: string) {
  const db = services.store.db;
  const rows = await listRewards(db, tenant.id, participantId);
  const history = await listRewardHistory(db, tenant.id, rows.map((r) => r.id));
  const byReward = new Map<string, typeof history>();
  for (const h of history) byReward.set(h.reward_id, [...(byReward.get(h.reward_id) ?? []), h]);
  return rows.map((r) => rewardView(r, byReward.get(r.id) ?? []));
}

const notInState = (row: RewardTable, action: string) =>
  new AppError('conflict', `this reward is ${row.status}; only ${action}`, [{ pointer: '/status', message: `is ${row.status}` }]);

/**
 * Cancels a reward that is pending or available. Cancelling again answers
 * the same; a redeemed or expired reward cannot be cancelled (409). A
 * cancelled reward no longer counts toward the W-9 total, and when it was the
 * participant's last one waiting for payout details in its program, the
 * payout reminders for that program stop.
 */
export async function cancelReward(services: Services, tenant: Tenant, rewardId: string) {
  const now = services.clock.now().toISOString();
  const result = await inTransaction(services.store, async (db) => {
    const found = await mustFind(db, tenant.id, rewardId);
    await lockParticipant(db, services.store.dialect, tenant.id, found.participant_id);
    // A scheduler may move the reward between our read and our write: read again and retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = await mustFind(db, tenant.id, rewardId);
      if (row.status === 'cancelled') return { cancelled: false, reward: await withHistory(db, tenant.id, row) };
      if (row.status !== 'pending' && row.status !== 'available') throw notInState(row, 'a pending or available reward can be cancelled');
      const moved = await moveReward(db, row, { status: 'cancelled', pending_reasons: '' }, { reason: 'cancelled', actor: 'api', amountMinor: row.remaining_minor }, now);
      if (!moved) continue;
      if (row.status === 'pending') await endRemindersIfNothingWaits(db, row);
      return { cancelled: true, reward: await withHistory(db, tenant.id, moved) };
    }
    throw new AppError('conflict', 'the reward is changing; retry shortly');
  });
  // The transition announced reward.status_changed (reward-transitions.ts): deliver it soon.
  if (result.cancelled) services.webhooks.kick();
  return result;
}

/**
 * Redeems all or part (`amountMinor`) of an available reward; what is left
 * stays available, and a fully used reward becomes `redeemed`. The decrement
 * is guarded by the remaining value, so concurrent redemptions never take
 * more than there is. An Idempotency-Key makes a retry answer the first
 * redemption instead of redeeming again.
 */
export async function redeemReward(services: Services, tenant: Tenant, rewardId: string, input: { amountMinor?: number; idempotencyKey?: string }) {
  const now = services.clock.now().toISOString();
  return inTransaction(services.store, async (db) => {
    const row = await mustFind(db, tenant.id, rewardId);
    if (input.idempotencyKey && (await findRedemption(db, tenant.id, rewardId, input.idempotencyKey))) {
      return { replayed: true, reward: await withHistory(db, tenant.id, row) };
    }
    if (row.status !== 'available') throw notInState(row, 'an available reward can be redeemed');
    const amount = input.amountMinor ?? row.remaining_minor;
    if (amount > row.remaining_minor) {
      throw new AppError('conflict', `only ${row.remaining_minor} (minor units) of this reward remain`, [{ pointer: '/amount', message: 'is more than the remaining value' }]);
    }
    if (!(await redeemRewardRow(db, tenant.id, rewardId, amount, now))) {
      const after = await mustFind(db, tenant.id, rewardId);
      throw after.status !== 'available' ? notInState(after, 'an available reward can be redeemed') : new AppError('conflict', `only ${after.remaining_minor} (minor units) of this reward remain`, [{ pointer: '/amount', message: 'is more than the remaining value' }]);
    }
    const after = await mustFind(db, tenant.id, rewardId);
    const note = { reason: 'redeemed', actor: 'api' as const, amountMinor: amount, idempotencyKey: input.idempotencyKey ?? null };
    // Two concurrent retries with one key: the second loses here and rolls its decrement back.
    if (!(await recordTransition(db, tenant.id, rewardId, 'available', after.status, '', note, now))) {
      if (!services.store.transactions) await restoreRedemption(db, tenant.id, rewardId, amount, now);
      throw new AppError('conflict', 'a redemption with this Idempotency-Key is in progress; retry shortly');
    }
    return { replayed: false, reward: await withHistory(db, tenant.id, after) };
  });
}

/**
 * What produced a reward: the event, the rule by name, the rule version and
 * its content hash, and that version's conditions for the rule (all of which
 * held when it fired). Read from the stored version, so it answers the same
 * after the rules change.
 */
export async function rewardReceipt(services: Services, tenant: Tenant, rewardId: string) {
  const db = services.store.db;
  const row = await mustFind(db, tenant.id, rewardId);
  const version = row.rule_version === null ? null : await findRuleVersion(db, tenant.id, row.program_id, row.rule_version);
  const rule = version ? (JSON.parse(version.document) as Ruleset).rules.find((r) => r.name === row.rule_name) : undefined;
  const event = await findEvent(db, tenant.id, row.event_id);
  return {
    rewardId: row.id,
    programId: row.program_id,
    eventId: row.event_id,
    occurredAt: row.occurred_at,
    event: event ? { type: event.type, data: JSON.parse(event.data) as unknown } : null,
    rule: row.rule_name,
    ruleVersion: row.rule_version,
    ruleContentHash: row.rule_hash,
    // The conditions that passed when it fired, with the values they compared (large ones summarised).
    trace: row.trace === null ? null : (JSON.parse(row.trace) as unknown),
    conditions: rule?.conditions ?? null,
    action: rule?.event ?? null,
    // The referral checks' flags that sent it to review, kept after the decision.
    reviewFlags: parseFlags(row.review_flags),
  };
}
