import type { Db } from '../store/store.ts';
import { enabledEndpoints } from '../store/webhook-endpoint-queries.ts';
import { insertDeliveryOnce } from '../store/webhook-delivery-queries.ts';
import { buildMessage, type WebhookFact } from '../../plugins/webhooks/message.ts';
import { WEBHOOK_RETRY_WINDOW_MS } from '../../plugins/webhooks/retry-policy.ts';

/**
 * Writes the outbox rows announcing `facts` to every enabled endpoint of the
 * tenant subscribed to them. Call it with the transaction that makes the
 * facts true: the announcement commits with them or not at all. The row is
 * keyed by (endpoint, message id) and the id derives from the fact, so a
 * re-run (D1, a retried transaction) announces nothing twice. Returns how
 * many deliveries it queued.
 */
export async function announce(db: Db, tenantId: string, facts: WebhookFact[], now: Date): Promise<number> {
  if (facts.length === 0) return 0;
  const endpoints = await enabledEndpoints(db, tenantId);
  if (endpoints.length === 0) return 0;
  const subscribed = endpoints.map((e) => ({ id: e.id, createdAt: e.created_at, events: new Set(JSON.parse(e.events) as string[]) }));
  const nowIso = now.toISOString();
  const giveUpAt = new Date(now.getTime() + WEBHOOK_RETRY_WINDOW_MS).toISOString();
  let queued = 0;
  for (const fact of facts) {
    const targets = subscribed.filter((e) => e.events.has(fact.type) && (!fact.occurredAt || e.createdAt <= fact.occurredAt));
    if (targets.length === 0) continue;
    const message = await buildMessage(tenantId, fact, nowIso);
    for (const endpoint of targets) {
      const inserted = await insertDeliveryOnce(db, {
        id: crypto.randomUUID(),
        tenant_id: tenantId,
        endpoint_id: endpoint.id,
        message_id: message.messageId,
        event_type: fact.type,
        payload: message.body,
        status: 'queued',
        attempts: 0,
        next_attempt_at: null,
        give_up_at: giveUpAt,
        lease_until: null,
        last_status_code: null,
        last_response: null,
        last_error: null,
        created_at: nowIso,
        updated_at: nowIso,
        delivered_at: null,
      });
      if (inserted) queued++;
    }
  }
  return queued;
}
