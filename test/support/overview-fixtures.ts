import type { Harness } from './app-harness.ts';
import type { EmailStatus, RewardStatus } from '../../runtime/store/database.ts';
import { insertEmailOnce } from '../../runtime/store/email-queries.ts';
import { saveEmailSettings } from '../../runtime/store/email-settings-queries.ts';

// Rows a program's overview counts, written straight into the store with the
// times a test needs (days ago), the way the lifecycle and outbox would have.

const DAY = 86_400_000;
const ago = (h: Harness, days: number) => new Date(h.clock.now().getTime() - days * DAY).toISOString();

export async function addReward(
  h: Harness,
  t: { tenantId: string; programId: string },
  id: string,
  o: { status: RewardStatus; amountMinor: number; currency?: string; kind?: string; reasons?: string; daysAgo?: number },
) {
  const at = ago(h, o.daysAgo ?? 0);
  await h.services.store.db
    .insertInto('rewards')
    .values({
      id, tenant_id: t.tenantId, program_id: t.programId, event_id: `ev-${id}`, rule_name: 'bonus', participant_id: 'p1', kind: o.kind ?? 'cash',
      amount_minor: o.amountMinor, currency: o.currency ?? 'USD', description: null, status: o.status, pending_reasons: o.reasons ?? '', remaining_minor: o.amountMinor,
      hold_until: null, expires_at: null, rule_version: 1, rule_hash: null, taxable_minor: null, trace: null, occurred_at: at, created_at: at, updated_at: at,
    })
    .execute();
}

export async function addEmail(h: Harness, t: { tenantId: string; programId: string | null }, id: string, status: EmailStatus, daysAgo = 0) {
  const at = ago(h, daysAgo);
  await insertEmailOnce(h.services.store.db, {
    id, tenant_id: t.tenantId, program_id: t.programId, participant_id: 'p1', idempotency_key: id, type: 'email-action', template: 'email-action',
    to_address: 'p1@example.com', subject: 'Hello', html: '<p>Hi</p>', text: 'Hi', status, attempts: status === 'queued' ? 0 : 1, next_attempt_at: null, lease_until: null,
    last_response: status === 'failed' ? '550 5.1.1 Mailbox unavailable' : null, message_id: `<${id}@example.test>`, sender: 'builtin', created_at: at, updated_at: at, sent_at: status === 'sent' ? at : null,
  });
}

export async function addFailingEndpoint(h: Harness, tenantId: string, id: string, url: string, status: 'enabled' | 'disabled') {
  const now = h.clock.now().toISOString();
  await h.services.store.db
    .insertInto('webhook_endpoints')
    .values({
      id, tenant_id: tenantId, url, description: null, events: '["reward.created"]', secret_sealed: 'unused', previous_secret_sealed: null, previous_secret_until: null,
      status, disabled_reason: status === 'disabled' ? 'failing' : null, failing_since: ago(h, 4), created_at: now, updated_at: now,
    })
    .execute();
}

/** The tenant's SMTP server stopped taking the login, and a custom domain waits for its DNS records. */
export async function breakMailSettings(h: Harness, tenantId: string) {
  await saveEmailSettings(
    h.services.store.db,
    tenantId,
    {
      smtp_host: 'smtp.acme.test', smtp_port: 587, smtp_security: 'tls', smtp_username: 'mailer', smtp_password_sealed: null, smtp_test_from: null, smtp_status: 'needs_attention',
      smtp_allow_plaintext: 0, smtp_last_error: '535 5.7.8 Authentication failed', smtp_connected_at: ago(h, 10),
      domain: 'mail.acme.test', domain_from: 'rewards@mail.acme.test', dkim_selector: 'ar1', dkim_public: 'MIIB', dkim_private_sealed: null, domain_status: 'pending',
    },
    h.clock.now().toISOString(),
  );
}
