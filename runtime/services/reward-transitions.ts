import type { Db, DialectName } from '../store/store.ts';
import type { EmailTable, RewardActor, RewardHistoryTable, RewardStatus, RewardTable } from '../store/database.ts';
import { insertRewardOnce, transitionReward } from '../store/reward-queries.ts';
import { insertRewardHistory, insertRewardWithHistory } from '../store/reward-history-queries.ts';
import { pendingPayoutRewards, pendingRewardsFor } from '../store/reward-queries.ts';
import { clearReason, type PendingReason } from '../../plugins/rewards/reward-state.ts';
import { closePayoutCycle } from '../store/payout-queries.ts';
import { announce } from './webhook-outbox.ts';
import { rewardStatusChanged } from './webhook-facts.ts';

/** `note`: what a person wrote with the step (a reviewer's approval or denial). */
export type TransitionNote = { reason: string; actor: RewardActor; amountMinor?: number | null; idempotencyKey?: string | null; note?: string | null };

/**
 * Moves one reward as read to its next state and records the step, in the
 * caller's transaction. False when someone else moved it first (the
 * compare-and-set lost): the caller re-reads or leaves it to the winner.
 */
export async function moveReward(
  db: Db,
  row: RewardTable,
  next: { status: RewardStatus; pending_reasons: string; remaining_minor?: number; hold_until?: string | null },
  note: TransitionNote,
  now: string,
): Promise<RewardTable | null> {
  if (!(await transitionReward(db, row, next, now))) return null;
  await recordTransition(db, row.tenant_id, row.id, row.status, next.status, next.pending_reasons, note, now);
  const moved = { ...row, ...next, updated_at: now };
  // Every change of status is announced in the transaction that makes it (webhook outbox).
  if (next.status !== row.status) await announce(db, row.tenant_id, [rewardStatusChanged(moved, row.status)], new Date(now));
  return moved;
}

// History is read in the order of `at`, then of id. Steps of one reward often
// share a millisecond (an event's reward created and redeemed at once, a
// clock moved by hand): the id carries this process's step counter after the
// time, so steps taken here sort in the order they were taken.
let steps = 0;
const historyId = (at: string) => `${at}.${(steps = (steps + 1) % 1e10).toString().padStart(10, '0')}.${crypto.randomUUID().slice(0, 8)}`;

/** The history row of one step, as recordTransition writes it. */
export function transitionRow(tenantId: string, rewardId: string, from: RewardStatus | null, to: RewardStatus, pendingReasons: string, note: TransitionNote, now: string): RewardHistoryTable {
  return {
    id: historyId(now),
    tenant_id: tenantId,
    reward_id: rewardId,
    from_status: from,
    to_status: to,
    pending_reasons: pendingReasons,
    reason: note.reason,
    actor: note.actor,
    amount_minor: note.amountMinor ?? null,
    idempotency_key: note.idempotencyKey ?? null,
    note: note.note ?? null,
    at: now,
  };
}

export async function recordTransition(
  db: Db,
  tenantId: string,
  rewardId: string,
  from: RewardStatus | null,
  to: RewardStatus,
  pendingReasons: string,
  note: TransitionNote,
  now: string,
): Promise<boolean> {
  return insertRewardHistory(db, transitionRow(tenantId, rewardId, from, to, pendingReasons, note, now));
}

/**
 * Writes a reward a rule created, if its key is new, with its first history
 * step ('created' by 'rule'); true when it was new. On PostgreSQL both rows go
 * in one statement; elsewhere in two, the step only after a new reward.
 */
export async function insertCreatedReward(db: Db, dialect: DialectName, row: RewardTable, now: string): Promise<boolean> {
  if (dialect === 'postgres') return (await insertRewardWithHistory(db, row, createdStep(row, now))).created;
  if (!(await insertRewardOnce(db, row))) return false;
  await insertRewardHistory(db, { ...createdStep(row, now), reward_id: row.id });
  return true;
}

/**
 * PostgreSQL only: insertCreatedReward with emails queued in the same
 * statement, one round trip for the reward, its step and the emails; per
 * email, whether it was new (insertEmailOnce's answer).
 */
export async function insertCreatedRewardWithEmails(db: Db, row: RewardTable, now: string, emails: readonly EmailTable[]): Promise<{ created: boolean; queued: boolean[] }> {
  return insertRewardWithHistory(db, row, createdStep(row, now), emails);
}

/** A new reward's first history step, 'created' by 'rule'; its reward id comes with the reward's insert. */
function createdStep(row: RewardTable, now: string): Omit<RewardHistoryTable, 'reward_id'> {
  const { reward_id: _, ...step } = transitionRow(row.tenant_id, row.id, null, row.status, row.pending_reasons, { reason: 'created', actor: 'rule' }, now);
  return step;
}

/** Payout reminders are about rewards waiting for details: with none left in the program, the cycle ends. */
export async function endRemindersIfNothingWaits(db: Db, row: Pick<RewardTable, 'tenant_id' | 'participant_id' | 'program_id'>) {
  if ((await pendingPayoutRewards(db, row.tenant_id, row.participant_id, row.program_id)).length === 0) {
    await closePayoutCycle(db, { tenantId: row.tenant_id, participantId: row.participant_id, programId: row.program_id });
  }
}

/** Clears one pending reason on all of a participant's rewards (payout details completed); returns how many moved. */
export async function clearPendingReason(db: Db, tenantId: string, participantId: string, reason: PendingReason, note: TransitionNote, now: string) {
  let moved = 0;
  for (const row of await pendingRewardsFor(db, tenantId, participantId, reason)) {
    if (await moveReward(db, row, clearReason(row.pending_reasons, reason), note, now)) moved++;
  }
  return moved;
}
