// The facts a tenant can subscribe an endpoint to. Each is announced in the
// transaction that makes it true (see runtime/services/webhook-outbox.ts).

export const WEBHOOK_EVENT_TYPES = [
  'reward.created',
  'reward.status_changed',
  'event.processed',
  'participant.w9_required',
  'email.sent',
  'email.failed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
