import type { EmailTable, RewardTable } from '../store/database.ts';
import type { WebhookFact } from '../../plugins/webhooks/message.ts';
import { rewardView } from './views.ts';

// The facts the services announce, built from the rows they wrote. Each key
// names the fact once and for all, so announcing it again is a no-op.

export function rewardCreated(row: RewardTable): WebhookFact {
  return { type: 'reward.created', key: row.id, resource: 'reward', data: rewardView(row), version: row.updated_at };
}

export function rewardStatusChanged(row: RewardTable, previousStatus: string): WebhookFact {
  return {
    type: 'reward.status_changed',
    key: `${row.id}:${previousStatus}:${row.status}:${row.updated_at}`,
    resource: 'reward',
    data: { ...rewardView(row), previousStatus },
    version: row.updated_at,
  };
}

export type ProcessedEvent = { id: string; programId: string; type: string; participantId: string; occurredAt: string; fired: unknown[]; rewardIds: string[]; emailIds: string[] };

export function eventProcessed(e: ProcessedEvent, processedAt: string): WebhookFact {
  return { type: 'event.processed', key: e.id, resource: 'event', data: { ...e, processedAt }, version: processedAt };
}

/** The W-9 notice is queued once per participant and tax year (its idempotency key); the fact follows it. */
export function w9Required(notice: EmailTable): WebhookFact {
  return {
    type: 'participant.w9_required',
    key: notice.idempotency_key,
    resource: 'participant',
    data: { participantId: notice.participant_id, programId: notice.program_id, taxYear: Number(notice.idempotency_key.split(':').pop()) || null },
    version: notice.created_at,
  };
}
