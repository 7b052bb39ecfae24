import type { WebhookDeliveryTable, WebhookEndpointTable } from '../store/database.ts';

// Webhook rows as the API shows them: never a secret, sealed or not.

export function webhookEndpointView(row: WebhookEndpointTable) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as string[],
    status: row.status,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since,
    /** While set, deliveries are also signed with the previous secret. */
    previousSecretValidUntil: row.previous_secret_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function webhookDeliveryView(row: WebhookDeliveryTable) {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    messageId: row.message_id,
    type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    giveUpAt: row.give_up_at,
    lastStatusCode: row.last_status_code,
    lastResponse: row.last_response,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}
