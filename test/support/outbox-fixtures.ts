import { expect } from 'vitest';
import type { Harness } from './app-harness.ts';
import { composeEmail } from '../../plugins/mail/compose.ts';
import { ALL_ON } from '../../plugins/mail/notification-switches.ts';
import { insertEmailOnce } from '../../runtime/store/email-queries.ts';
import type { EmailTable } from '../../runtime/store/database.ts';

// Outbox rows written the way the event service writes them, without kicking
// a dispatcher, so a test decides when and by whom they are claimed.

export const messageIdOf = (raw: string) => /^Message-ID:\s*(\S+)/im.exec(raw)?.[1];

export async function queueEmails(h: Harness, tenantId: string, count: number, keyPrefix: string, to = (i: number) => `p${i}@example.com`): Promise<EmailTable[]> {
  const rows = await emailRowsFor(h, tenantId, count, keyPrefix, to);
  for (const row of rows) expect(await insertEmailOnce(h.services.store.db, row)).toBe(true);
  return rows;
}

/** The rows queueEmails writes, not written: for a test that inserts them itself (in a transaction, claimed). */
export async function emailRowsFor(h: Harness, tenantId: string, count: number, keyPrefix: string, to = (i: number) => `p${i}@example.com`): Promise<EmailTable[]> {
  const now = h.clock.now().toISOString();
  const env = { tenantId, program: null, templates: new Map(), switches: ALL_ON, now, messageIdDomain: h.services.config.MAIL_FROM.split('@')[1] };
  const rows: EmailTable[] = [];
  for (let i = 0; i < count; i++) {
    const recipient = { id: `p${i}`, email: to(i), firstName: null, lastName: null, locale: null, countryCode: null, referredBy: null, w9OnFile: false, payoutInfoComplete: false, emailVerified: false, unsubscribed: false, referralFlags: [], createdAt: now };
    const row = await composeEmail({ type: 'email-action', template: 'email-action', recipient, idempotencyKey: `${keyPrefix}:${i}`, data: { data: { message: `message ${i}` } } }, env);
    rows.push(row!);
  }
  return rows;
}

/** Resolves once `check` holds; the test's own timeout is the bound, so nothing here measures time. */
export async function eventually(check: () => boolean | Promise<boolean>, pollMs = 20): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
