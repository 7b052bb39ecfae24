import { sha256Hex } from '../../runtime/security/hashing.ts';
import type { WebhookEventType } from './event-types.ts';

/** One fact to announce: `key` names it uniquely (same fact, same key), so its message id is stable across retries and re-runs. */
export type WebhookFact = {
  type: WebhookEventType;
  key: string;
  /** What the data is: `reward`, `event`, `participant`, `email`. */
  resource: string;
  /** The resource as the API shows it. */
  data: Record<string, unknown>;
  /** Orders announcements of one resource (delivery order is not guaranteed): the resource's last update time. */
  version: string;
  /** When the fact happened, if it is announced later (email statuses): endpoints created after it do not get it. */
  occurredAt?: string;
};

export type WebhookMessage = { messageId: string; body: string };

/** The `webhook-id` and the JSON body every subscribed endpoint receives, byte for byte. */
export async function buildMessage(tenantId: string, fact: WebhookFact, at: string): Promise<WebhookMessage> {
  const messageId = `msg_${(await sha256Hex(`${tenantId}\u0000${fact.type}\u0000${fact.key}`)).slice(0, 32)}`;
  const body = JSON.stringify({ id: messageId, type: fact.type, timestamp: at, resource: fact.resource, version: fact.version, data: fact.data });
  return { messageId, body };
}
