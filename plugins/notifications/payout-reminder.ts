import type { EmailDraft, ParticipantView, ProgramView } from '../types.ts';
import { formatMoney } from '../rewards/money.ts';

export type PendingReward = { amount_minor: number; currency: string };

/** "$25.00", or "$25.00 and €10.00" when held rewards are in several currencies: no conversion in an email. */
export function pendingText(rows: PendingReward[], locale: string | null): string {
  const byCurrency = new Map<string, number>();
  for (const r of rows) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0) + r.amount_minor);
  const parts = [...byCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, minor]) => formatMoney(minor, currency, locale));
  if (parts.length === 0) return 'a cash reward';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * One reminder of a cycle. The key names the cycle and the reminder's number,
 * so a scheduler that retries (or a second instance) queues it at most once.
 */
export function payoutReminderDraft(
  participant: ParticipantView,
  program: ProgramView,
  ticket: { cycle: string; number: number },
  pending: PendingReward[],
): EmailDraft {
  return {
    type: 'payout-reminder',
    template: 'payout-reminder',
    recipient: participant,
    idempotencyKey: `payout:${participant.id}:${program.id}:${ticket.cycle}:${ticket.number}`,
    data: {
      reminderNumber: ticket.number,
      maxReminders: program.settings.payoutReminder.maxReminders,
      pendingCount: pending.length,
      pendingFormatted: pendingText(pending, participant.locale),
      link: program.settings.payoutDetailsUrl ?? null,
    },
  };
}
