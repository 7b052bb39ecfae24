import type { EmailTable, EventTable, ParticipantTable, ProgramTable, RewardHistoryTable, RewardTable, SuppressionTable } from '../store/database.ts';
import { parseReasons } from '../../plugins/rewards/reward-state.ts';
import type { ParticipantView, ProgramView } from '../../plugins/types.ts';
import { settingsFromText } from './program-settings.ts';
import { flagNames, parseFlags } from '../../plugins/referral-checks/flags.ts';

// Rows become API objects here and only here: camelCase, booleans, major and
// minor units side by side, and never a secret column.

export function participantView(row: ParticipantTable): ParticipantView {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    locale: row.locale,
    countryCode: row.country_code,
    referredBy: row.referred_by,
    w9OnFile: row.w9_on_file === 1,
    payoutInfoComplete: row.payout_info_complete === 1,
    emailVerified: row.email_verified === 1,
    unsubscribed: row.unsubscribed_at != null,
    referralFlags: flagNames(row.referral_flags),
    createdAt: row.created_at,
  };
}

export function participantBody(row: ParticipantTable) {
  return {
    ...participantView(row),
    w9OnFileAt: row.w9_on_file_at,
    payoutInfoCompletedAt: row.payout_info_completed_at,
    emailVerifiedAt: row.email_verified_at,
    unsubscribedAt: row.unsubscribed_at ?? null,
    passwordSet: row.password_hash !== null,
    updatedAt: row.updated_at,
  };
}

export function programView(row: Pick<ProgramTable, 'id' | 'name' | 'settings' | 'active_version' | 'created_at'>): ProgramView & { activeVersion: number | null; createdAt: string } {
  return { id: row.id, name: row.name, settings: settingsFromText(row.settings), activeVersion: row.active_version, createdAt: row.created_at };
}

/** A reward; `history` (its transitions, oldest first) where the caller loaded it. */
export function rewardView(row: RewardTable, history?: RewardHistoryTable[]) {
  return {
    id: row.id,
    programId: row.program_id,
    eventId: row.event_id,
    rule: row.rule_name,
    participantId: row.participant_id,
    kind: row.kind,
    amount: row.amount_minor / 100,
    amountMinor: row.amount_minor,
    remainingAmount: row.remaining_minor / 100,
    remainingMinor: row.remaining_minor,
    currency: row.currency,
    description: row.description,
    taxableValueMinor: row.taxable_minor,
    status: row.status,
    pendingReasons: parseReasons(row.pending_reasons),
    holdUntil: row.hold_until,
    expiresAt: row.expires_at,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    ...(history ? { history: history.map(rewardHistoryView) } : {}),
  };
}

export function rewardHistoryView(row: RewardHistoryTable) {
  return {
    at: row.at,
    from: row.from_status,
    to: row.to_status,
    pendingReasons: parseReasons(row.pending_reasons),
    reason: row.reason,
    actor: row.actor,
    amountMinor: row.amount_minor,
    note: row.note,
  };
}

/** A reward in the review queue (or just decided): the reward and the flags that sent it there. */
export function reviewView(row: RewardTable, history?: RewardHistoryTable[]) {
  return { ...rewardView(row, history), reviewFlags: parseFlags(row.review_flags) };
}

type EmailSummaryRow = Pick<
  EmailTable,
  'id' | 'type' | 'template' | 'to_address' | 'subject' | 'status' | 'attempts' | 'participant_id' | 'program_id' | 'last_response' | 'next_attempt_at' | 'message_id' | 'sender' | 'created_at' | 'updated_at' | 'sent_at'
>;

export function emailView(row: EmailSummaryRow) {
  return {
    id: row.id,
    type: row.type,
    template: row.template,
    to: row.to_address,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    participantId: row.participant_id,
    programId: row.program_id,
    lastResponse: row.last_response,
    nextAttemptAt: row.status === 'queued' ? row.next_attempt_at : null,
    messageId: row.message_id,
    sender: row.sender,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}

// Account emails carry live single-use tokens in their links; the log shows
// what was sent without handing anyone reading it a working link.
const TOKEN_EMAIL_TYPES = new Set(['verification', 'password-reset']);
const redactTokens = (s: string) => s.replace(/([?&](?:amp;)?token=)[A-Za-z0-9_-]+/g, '$1[redacted]');

export function emailDetailView(row: EmailTable) {
  const redact = TOKEN_EMAIL_TYPES.has(row.type) ? redactTokens : (s: string) => s;
  return { ...emailView(row), html: redact(row.html), text: redact(row.text) };
}

export function suppressionView(row: SuppressionTable) {
  return { address: row.address, reason: row.reason, emailId: row.email_id, createdAt: row.created_at };
}

export function eventView(row: Pick<EventTable, 'id' | 'program_id' | 'type' | 'participant_id' | 'data' | 'occurred_at' | 'created_at' | 'response'>) {
  return {
    id: row.id,
    programId: row.program_id,
    type: row.type,
    participantId: row.participant_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    /** False only while the first request for it is still writing (or died mid-way, on D1). */
    processed: row.response !== '',
  };
}
