import type { Services } from '../services.ts';
import type { Db } from '../store/store.ts';
import type { ParticipantTable, RewardTable } from '../store/database.ts';
import { findProgram } from '../store/program-queries.ts';
import { insertEmailOnce } from '../store/email-queries.ts';
import { composeEmail, type ComposeEnv } from '../../plugins/mail/compose.ts';
import { rewardEmailDraft, rewardPendingDraft } from '../../plugins/rewards/reward-follow-ups.ts';
import { parseReasons } from '../../plugins/rewards/reward-state.ts';
import { participantView, programView } from './views.ts';
import { composeEnvFor } from './event-service.ts';

// A reward whose email waited (a hold, a review) gets it when the last of
// those ends. The key is the one creation would have used, so however many
// steps try (a release and an approval, two instances), it is sent once.
// A review holds back both the reward email and the "on its way" one
// (reward-pending): approving a reward still on hold sends the latter, as
// creation would have without the review, and the hold's end the former.

/** What composing a reward's email needs, read before the transaction that moves the reward; null without its program. */
export async function rewardEmailEnv(services: Services, row: Pick<RewardTable, 'tenant_id' | 'program_id'>, now: string): Promise<ComposeEnv | null> {
  const programRow = await findProgram(services.store.db, row.tenant_id, row.program_id);
  return programRow ? composeEnvFor(services, row.tenant_id, programView(programRow), now) : null;
}

/**
 * Queues what the reward's state calls for, in the caller's transaction:
 * nothing while a review delays it, the `reward-pending` email while a hold
 * does, else the reward email. True when an email was queued now.
 */
export async function queueRewardEmail(db: Db, env: ComposeEnv | null, moved: RewardTable, participant: ParticipantTable | undefined): Promise<boolean> {
  const reasons = parseReasons(moved.pending_reasons);
  if (!env || !participant || reasons.includes('review')) return false;
  const key = `${moved.event_id}:${moved.rule_name}:${moved.participant_id}`;
  const reward = { kind: moved.kind, amountMinor: moved.amount_minor, currency: moved.currency, description: moved.description };
  const recipient = participantView(participant);
  if (reasons.includes('hold')) {
    if (!moved.hold_until) return false;
    const pending = await composeEmail(rewardPendingDraft(reward, recipient, key, moved.hold_until), env);
    return pending ? insertEmailOnce(db, pending) : false;
  }
  // Held for payout details or a W-9, as creation would say (reward-follow-ups.ts): the email tells it is not paid yet.
  const held = reasons.includes('payout_info') || reasons.includes('w9_required');
  const email = await composeEmail(rewardEmailDraft(reward, recipient, key, held), env);
  return email ? insertEmailOnce(db, email) : false;
}
