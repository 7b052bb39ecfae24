import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { inTransaction, type Db } from '../store/store.ts';
import type { RewardTable } from '../store/database.ts';
import { findReward } from '../store/reward-queries.ts';
import { listRewardHistory } from '../store/reward-history-queries.ts';
import { lockParticipant } from '../store/participant-queries.ts';
import { listReviewPage, type ReviewFilter } from '../store/review-queries.ts';
import { clearReason, parseReasons } from '../../plugins/rewards/reward-state.ts';
import { endRemindersIfNothingWaits, moveReward } from './reward-transitions.ts';
import { queueRewardEmail, rewardEmailEnv } from './reward-email.ts';
import { reviewView } from './views.ts';
import type { ComposeEnv } from '../../plugins/mail/compose.ts';

export type ReviewDecision = 'approve' | 'deny';

/** The review queue, newest first. */
export async function listReviews(services: Services, tenant: Tenant, filter: ReviewFilter) {
  const rows = await listReviewPage(services.store.db, tenant.id, filter);
  return { rows, reviews: rows.map((r) => reviewView(r)) };
}

const notInReview = (row: RewardTable) => {
  const state = row.status === 'pending' ? `pending for ${parseReasons(row.pending_reasons).join(', ')}` : row.status;
  return new AppError('not_in_review', `this reward is not waiting for review (it is ${state}); it was decided already or never flagged`, [
    { pointer: '/status', message: `is ${row.status}` },
  ]);
};

async function withHistory(db: Db, tenantId: string, row: RewardTable) {
  return reviewView(row, await listRewardHistory(db, tenantId, [row.id]));
}

/**
 * Approves or denies one reward waiting for review. Approval removes only
 * the `review` reason: a reward still held (hold days, payout details, a
 * W-9) stays pending for the rest, and one with nothing left becomes
 * available, its email going now. Denial cancels it. Either is one
 * compare-and-set under the participant's lock, recorded in the reward's
 * history with the note: of two decisions at once, one wins and the other
 * answers 409 `not_in_review`, as a second decision does.
 */
export async function decideReview(services: Services, tenant: Tenant, rewardId: string, decision: ReviewDecision, note: string | null, envs = new Map<string, Promise<ComposeEnv | null>>()) {
  const first = await findReward(services.store.db, tenant.id, rewardId);
  if (!first) throw new AppError('not_found', 'reward not found');
  const nowIso = services.clock.now().toISOString();
  // What the reward email needs, read once per program (a bulk decision shares it).
  if (decision === 'approve' && !envs.has(first.program_id)) envs.set(first.program_id, rewardEmailEnv(services, first, nowIso));
  const env = decision === 'approve' ? await envs.get(first.program_id)! : null;
  const result = await inTransaction(services.store, async (db) => {
    const participant = await lockParticipant(db, services.store.dialect, tenant.id, first.participant_id);
    // A scheduler (a hold ending, an expiry) may move the reward between our read and our write: read again and retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = await findReward(db, tenant.id, rewardId);
      if (!row) throw new AppError('not_found', 'reward not found');
      if (row.status !== 'pending' || !parseReasons(row.pending_reasons).includes('review')) throw notInReview(row);
      const moved =
        decision === 'approve'
          ? await moveReward(db, row, clearReason(row.pending_reasons, 'review'), { reason: 'review_approved', actor: 'api', note }, nowIso)
          : await moveReward(db, row, { status: 'cancelled', pending_reasons: '' }, { reason: 'review_denied', actor: 'api', note, amountMinor: row.remaining_minor }, nowIso);
      if (!moved) continue;
      const emailed = decision === 'approve' ? await queueRewardEmail(db, env, moved, participant) : false;
      if (decision === 'deny') await endRemindersIfNothingWaits(db, row);
      return { statusChanged: moved.status !== row.status, emailed, reward: await withHistory(db, tenant.id, moved) };
    }
    throw new AppError('conflict', 'the reward is changing; retry shortly');
  });
  // The transition announced reward.status_changed when the status moved (reward-transitions.ts): deliver it soon.
  if (result.statusChanged) services.webhooks.kick();
  if (result.emailed) services.dispatcher.kick();
  return result.reward;
}

export type DecisionOutcome =
  | { rewardId: string; status: 200; reward: Awaited<ReturnType<typeof decideReview>> }
  | { rewardId: string; status: number; error: ReturnType<AppError['toBody']>['error'] };

/** What a caller learns of an unexpected failure on one id: that it happened, not what it was (that is logged). */
const internalFailure = () =>
  new AppError('internal', 'an unexpected error stopped the decision on this reward and has been logged; read the reward to see where it stands before deciding it again').toBody().error;

/**
 * One decision for many rewards (at most 100, each id once), answered per
 * id. Each reward is decided in its own transaction, as it would be alone: a
 * reward another tenant owns is `not_found` and never touched, one decided
 * already is `not_in_review`, and neither stops the rest. An unexpected
 * error on one id (the database, a bug) rolls back that reward's transaction
 * only and answers as its entry (`500 internal`, logged, no details): the
 * ids before it are committed, so a 500 for the whole request would hide
 * what was done.
 */
export async function decideReviews(services: Services, tenant: Tenant, rewardIds: readonly string[], decision: ReviewDecision, note: string | null): Promise<DecisionOutcome[]> {
  const out: DecisionOutcome[] = [];
  const envs = new Map<string, Promise<ComposeEnv | null>>();
  for (const rewardId of rewardIds) {
    try {
      out.push({ rewardId, status: 200, reward: await decideReview(services, tenant, rewardId, decision, note, envs) });
    } catch (error) {
      if (error instanceof AppError) {
        out.push({ rewardId, status: error.status, error: error.toBody().error });
        continue;
      }
      services.logger.error('review decision failed', { tenantId: tenant.id, rewardId, decision, error });
      // A failed read of the email's program must not be reused for the next ids: read it again.
      if (decision === 'approve') envs.clear();
      out.push({ rewardId, status: 500, error: internalFailure() });
    }
  }
  return out;
}
