import type { Services } from '../services.ts';
import { inTransaction } from '../store/store.ts';
import type { RewardTable } from '../store/database.ts';
import { lockParticipant } from '../store/participant-queries.ts';
import { findProgram } from '../store/program-queries.ts';
import { dueExpiries, dueHoldReleases, findReward } from '../store/reward-queries.ts';
import { insertEmailOnce } from '../store/email-queries.ts';
import { composeEmail } from '../../plugins/mail/compose.ts';
import { rewardEmailDraft } from '../../plugins/rewards/reward-follow-ups.ts';
import { clearReason, parseReasons } from '../../plugins/rewards/reward-state.ts';
import { participantView, programView } from './views.ts';
import { composeEnvFor } from './event-service.ts';
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
  const programRow = await findProgram(services.store.db, due.tenant_id, due.program_id);
  const program = programRow ? programView(programRow) : null;
  const env = program ? await composeEnvFor(services, due.tenant_id, program, now.toISOString()) : null;
  const nowIso = now.toISOString();
  return inTransaction(services.store, async (db) => {
    const participantRow = await lockParticipant(db, services.store.dialect, due.tenant_id, due.participant_id);
    const row = await findReward(db, due.tenant_id, due.id);
    if (!row || row.status !== 'pending' || !parseReasons(row.pending_reasons).includes('hold')) return false;
    const moved = await moveReward(db, row, clearReason(row.pending_reasons, 'hold'), { reason: 'hold_ended', actor: 'scheduler' }, nowIso);
    if (!moved) return false;
    // Still in review: its email waits for the reviewer's approval.
    if (env && participantRow && !parseReasons(moved.pending_reasons).includes('review')) {
      const key = `${row.event_id}:${row.rule_name}:${row.participant_id}`;
      const reward = { kind: row.kind, amountMinor: row.amount_minor, currency: row.currency, description: row.description };
      const held = parseReasons(moved.pending_reasons).includes('payout_info');
      const email = await composeEmail(rewardEmailDraft(reward, participantView(participantRow), key, held), env);
      if (email) await insertEmailOnce(db, email);
    }
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
