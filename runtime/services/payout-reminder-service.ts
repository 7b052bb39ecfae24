import type { Services } from '../services.ts';
import { inTransaction } from '../store/store.ts';
import type { PayoutReminderTable } from '../store/database.ts';
import { lockParticipant } from '../store/participant-queries.ts';
import { findProgram } from '../store/program-queries.ts';
import { pendingPayoutRewards } from '../store/reward-queries.ts';
import { insertEmailOnce } from '../store/email-queries.ts';
import { advancePayoutCycle, closePayoutCycle, duePayoutReminders, findPayoutCycle, parkPayoutCycle, type PayoutCycleKey } from '../store/payout-queries.ts';
import { composeEmail } from '../../plugins/mail/compose.ts';
import { payoutReminderDraft } from '../../plugins/notifications/payout-reminder.ts';
import { participantView, programView } from './views.ts';
import { composeEnvFor } from './event-service.ts';

const DAY = 86_400_000;

export type ReminderOutcome = 'sent' | 'closed' | 'capped' | 'skipped';

/**
 * Sends every payout reminder that is due. Each cycle moves on in its own
 * transaction with a conditional update, so two instances running this at
 * once send one reminder, not two. After downtime a cycle that missed several
 * dates gets one reminder now and its next date counted from now: catching up
 * never sends a burst.
 */
export async function sendDuePayoutReminders(services: Services, o: { batchSize?: number } = {}): Promise<Record<ReminderOutcome, number>> {
  const batchSize = o.batchSize ?? 100;
  const counts: Record<ReminderOutcome, number> = { sent: 0, closed: 0, capped: 0, skipped: 0 };
  const seen = new Set<string>();
  for (;;) {
    const now = services.clock.now();
    const due = (await duePayoutReminders(services.store.db, now.toISOString(), batchSize)).filter((row) => !seen.has(keyOf(row)));
    if (due.length === 0) break;
    for (const row of due) {
      // A cycle is looked at once per run, so one that keeps failing cannot hold the loop.
      seen.add(keyOf(row));
      try {
        counts[await remindOnce(services, row, now)]++;
      } catch (error) {
        services.logger.error('payout reminder failed', { tenantId: row.tenant_id, participantId: row.participant_id, programId: row.program_id, error });
      }
    }
  }
  return counts;
}

function keyOf(row: PayoutReminderTable) {
  return `${row.tenant_id}\u0000${row.participant_id}\u0000${row.program_id}`;
}

async function remindOnce(services: Services, due: PayoutReminderTable, now: Date): Promise<ReminderOutcome> {
  const key: PayoutCycleKey = { tenantId: due.tenant_id, participantId: due.participant_id, programId: due.program_id };
  const programRow = await findProgram(services.store.db, key.tenantId, key.programId);
  const program = programRow ? programView(programRow) : null;
  const env = program ? await composeEnvFor(services, key.tenantId, program, now.toISOString()) : null;

  return inTransaction(services.store, async (db) => {
    // The participant's row lock orders this against completing the details
    // (which releases the rewards and ends the cycle) and against new events.
    const participantRow = await lockParticipant(db, services.store.dialect, key.tenantId, key.participantId);
    const cycle = await findPayoutCycle(db, key);
    if (!cycle || cycle.next_due_at === null || cycle.next_due_at > now.toISOString() || cycle.sent_count !== due.sent_count) return 'skipped';
    const pending = await pendingPayoutRewards(db, key.tenantId, key.participantId, key.programId);
    if (!participantRow || participantRow.payout_info_complete === 1 || pending.length === 0 || !program || !env) {
      await closePayoutCycle(db, key);
      return 'closed';
    }
    const { everyDays, maxReminders } = program.settings.payoutReminder;
    // The program may have lowered its cap since this cycle began.
    if (cycle.sent_count >= maxReminders) return (await parkPayoutCycle(db, key, cycle.sent_count)) ? 'capped' : 'skipped';
    const number = cycle.sent_count + 1;
    const nextDueAt = number < maxReminders ? new Date(now.getTime() + everyDays * DAY).toISOString() : null;
    if (!(await advancePayoutCycle(db, key, cycle.sent_count, { lastSentAt: now.toISOString(), nextDueAt }))) return 'skipped';
    const participant = participantView(participantRow);
    const row = await composeEmail(payoutReminderDraft(participant, program, { cycle: cycle.cycle, number }, pending), env);
    if (row) await insertEmailOnce(db, row);
    return 'sent';
  });
}
