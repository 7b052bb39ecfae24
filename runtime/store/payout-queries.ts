import type { ExpressionBuilder } from 'kysely';
import type { Db } from './store.ts';
import type { Database } from './database.ts';
import type { ParticipantView, ProgramView } from '../../plugins/types.ts';

const DAY = 86_400_000;

/** The row of one participant's reminder cycle in one program. */
const isCycle =
  (key: { tenantId: string; participantId: string; programId: string }) =>
  (eb: ExpressionBuilder<Database, 'payout_reminders'>) =>
    eb.and([eb('tenant_id', '=', key.tenantId), eb('participant_id', '=', key.participantId), eb('program_id', '=', key.programId)]);

export type ReminderTicket = { cycle: string; number: number };

/**
 * Opens a reminder cycle for a participant with held cash, unless one is open:
 * several pending rewards share one reminder. Returns the first reminder to
 * send now, or null when a cycle already runs.
 */
export async function openPayoutCycle(
  db: Db,
  a: { tenantId: string; program: ProgramView; participant: ParticipantView; cycle: string; now: Date },
): Promise<ReminderTicket | null> {
  const { everyDays, maxReminders } = a.program.settings.payoutReminder;
  if (maxReminders < 1) return null;
  const result = await db
    .insertInto('payout_reminders')
    .values({
      tenant_id: a.tenantId,
      participant_id: a.participant.id,
      program_id: a.program.id,
      cycle: a.cycle,
      sent_count: 1,
      last_sent_at: a.now.toISOString(),
      next_due_at: maxReminders > 1 ? new Date(a.now.getTime() + everyDays * DAY).toISOString() : null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'participant_id', 'program_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? { cycle: a.cycle, number: 1 } : null;
}

export async function duePayoutReminders(db: Db, now: string, limit: number) {
  return db.selectFrom('payout_reminders').selectAll().where('next_due_at', '<=', now).orderBy('next_due_at').limit(limit).execute();
}

/**
 * Moves a cycle to its next reminder only if nobody else did: the sent_count
 * guard makes two schedulers on two instances send one reminder, not two.
 */
export async function advancePayoutCycle(
  db: Db,
  key: { tenantId: string; participantId: string; programId: string },
  fromCount: number,
  next: { lastSentAt: string; nextDueAt: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('payout_reminders')
    .set({ sent_count: fromCount + 1, last_sent_at: next.lastSentAt, next_due_at: next.nextDueAt })
    .where(isCycle(key))
    .where('sent_count', '=', fromCount)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

export async function closePayoutCycles(db: Db, tenantId: string, participantId: string) {
  await db.deleteFrom('payout_reminders').where('tenant_id', '=', tenantId).where('participant_id', '=', participantId).execute();
}

export type PayoutCycleKey = { tenantId: string; participantId: string; programId: string };

export async function findPayoutCycle(db: Db, key: PayoutCycleKey) {
  return db
    .selectFrom('payout_reminders')
    .selectAll()
    .where(isCycle(key))
    .executeTakeFirst();
}

/** Ends the schedule of a cycle that reached its cap, keeping it so new held rewards join it instead of restarting it. */
export async function parkPayoutCycle(db: Db, key: PayoutCycleKey, fromCount: number): Promise<boolean> {
  const result = await db
    .updateTable('payout_reminders')
    .set({ next_due_at: null })
    .where(isCycle(key))
    .where('sent_count', '=', fromCount)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

/** Ends one program's cycle: its last held reward was released or cancelled. */
export async function closePayoutCycle(db: Db, key: PayoutCycleKey) {
  await db
    .deleteFrom('payout_reminders')
    .where(isCycle(key))
    .execute();
}
