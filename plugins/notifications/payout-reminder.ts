import type { EmailDraft, ParticipantView, ProgramView } from '../types.ts';
import { formatMoney } from '../rewards/money.ts';

export function payoutReminderDraft(
  participant: ParticipantView,
  program: ProgramView,
  ticket: { cycle: string; number: number },
  pendingCents?: number,
): EmailDraft {
  return {
    type: 'payout-reminder',
    template: 'payout-reminder',
    recipient: participant,
    idempotencyKey: `payout:${participant.id}:${program.id}:${ticket.cycle}:${ticket.number}`,
    data: {
      reminderNumber: ticket.number,
      pendingCents: pendingCents ?? null,
      pendingFormatted: pendingCents === undefined ? 'a cash reward' : formatMoney(pendingCents, 'USD', participant.locale),
      link: program.settings.payoutDetailsUrl ?? null,
    },
  };
}
