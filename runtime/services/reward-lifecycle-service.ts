import type { Services } from '../services.ts';
import { inTransaction } from '../store/store.ts';
import type { RewardTable } from '../store/database.ts';
import { lockParticipant } from '../store/participant-queries.ts';
import { dueExpiries, dueHoldReleases, findReward } from '../store/reward-queries.ts';
import { clearReason, parseReasons } from '../../plugins/rewards/reward-state.ts';
import { queueRewardEmail, rewardEmailEnv } from './reward-email.ts';
import { endRemindersIfNothingWaits, moveReward } from './reward-transitions.ts';

const BATCH = 100;

/**
 * The scheduler's part of the lifecycle: held rewards whose hold ended are
 * released (their reward email goes now), and unredeemed value past its
 * expiry expires. Each reward moves in its own transaction by a
 * compare-and-set on the state it was read in, so instances running this at
 * once (or a cancel racing it) move it once; the reward email's key is the
 * one it would have had at creation, so it is never sent twice.
 */
export async function runRewardLifecycle(services: Services): Promise<{ released: number; expired: number }> {
  const counts = { released: 0, expired: 0 };
  const seen = new Set<string>();
  for (const [kind, find] of [
    ['released', dueHoldReleases],
    ['expired', dueExpiries],
  ] as const) {
    for (;;) {
      const now = services.clock.now();
      // A reward is looked at once per run, so one that keeps failing cannot hold the loop.
      const due = (await find(services.store.db, now.toISOString(), BATCH)).filter((r) => !seen.has(kind + r.id));
      if (due.length === 0) break;
      for (const row of due) {
        seen.add(kind + row.id);
        try {
          if (await (kind === 'released' ? release(services, row, now) : expire(services, row, now))) counts[kind]++;
        } catch (error) {
          services.logger.error('reward lifecycle step failed', { tenantId: row.tenant_id, rewardId: row.id, step: kind, error });
        }
      }
    }
  }
  return counts;
}

async function release(services: Services, due: RewardTable, now: Date): Promise<boolean> {
  const nowIso = now.toISOString();
  const env = await rewardEmailEnv(services, due, nowIso);
  return inTransaction(services.store, async (db) => {
    const participantRow = await lockParticipant(db, services.store.dialect, due.tenant_id, due.participant_id);
    const row = await findReward(db, due.tenant_id, due.id);
    if (!row || row.status !== 'pending' || !parseReasons(row.pending_reasons).includes('hold')) return false;
    const moved = await moveReward(db, row, clearReason(row.pending_reasons, 'hold'), { reason: 'hold_ended', actor: 'scheduler' }, nowIso);
    if (!moved) return false;
    // Still waiting for review, the email goes with the approval instead.
    await queueRewardEmail(db, env, moved, participantRow);
    return true;
  });
}

async function expire(services: Services, due: RewardTable, now: Date): Promise<boolean> {
  const nowIso = now.toISOString();
  return inTransaction(services.store, async (db) => {
    await lockParticipant(db, services.store.dialect, due.tenant_id, due.participant_id);
    const row = await findReward(db, due.tenant_id, due.id);
    if (!row || (row.status !== 'pending' && row.status !== 'available') || !row.expires_at || row.expires_at > nowIso) return false;
    const moved = await moveReward(db, row, { status: 'expired', pending_reasons: '' }, { reason: 'expired', actor: 'scheduler', amountMinor: row.remaining_minor }, nowIso);
    if (!moved) return false;
    if (row.status === 'pending') await endRemindersIfNothingWaits(db, row);
    return true;
  });
}
