import type { Services } from '../services.ts';
import { inTransaction } from '../store/store.ts';
import { emailsToAnnounce, markEmailAnnounced } from '../store/email-announce-queries.ts';
import type { EmailTable } from '../store/database.ts';
import type { WebhookFact } from '../../plugins/webhooks/message.ts';
import { announce } from './webhook-outbox.ts';
import { emailView } from './views.ts';

const BATCH = 200;

function emailFact(row: EmailTable): WebhookFact {
  const status = row.status as 'sent' | 'failed';
  return {
    type: status === 'sent' ? 'email.sent' : 'email.failed',
    key: `${row.id}:${status}:${row.updated_at}`,
    resource: 'email',
    data: emailView(row),
    version: row.updated_at,
    occurredAt: row.updated_at,
  };
}

/**
 * Announces finished emails (a scheduled job). The mail dispatcher finishes
 * an email without knowing about webhooks, so this relay reads what it
 * finished and, per email, writes the delivery rows and the announced mark in
 * one transaction; the message key makes a re-run (D1) announce nothing twice.
 * Email webhooks therefore trail the send by up to one scheduler interval.
 */
export async function announceFinishedEmails(services: Services): Promise<number> {
  let total = 0;
  for (let round = 0; round < 10; round++) {
    const rows = await emailsToAnnounce(services.store.db, BATCH);
    for (const row of rows) {
      total += await inTransaction(services.store, async (db) => {
        const queued = await announce(db, row.tenant_id, [emailFact(row)], services.clock.now());
        await markEmailAnnounced(db, row.id, row.status);
        return queued;
      });
    }
    if (rows.length < BATCH) break;
  }
  if (total > 0) services.webhooks.kick();
  return total;
}
