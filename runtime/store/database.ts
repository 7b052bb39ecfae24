// Table types for Kysely. Column conventions keep the schema dialect-neutral:
// timestamps are ISO-8601 UTC text (sortable, equal on SQLite, PostgreSQL, D1),
// booleans are 0/1 integers, JSON is text, money is integer minor units.

export type Database = {
  tenants: TenantTable;
  programs: ProgramTable;
  rule_versions: RuleVersionTable;
  templates: TemplateTable;
  participants: ParticipantTable;
  events: EventTable;
  rewards: RewardTable;
  reward_history: RewardHistoryTable;
  emails: EmailTable;
  email_settings: EmailSettingsTable;
  tokens: TokenTable;
  payout_reminders: PayoutReminderTable;
  rate_limits: RateLimitTable;
  leases: LeaseTable;
  admin_sessions: AdminSessionTable;
  api_keys: ApiKeyTable;
  webhook_secrets: WebhookSecretTable;
  suppressions: SuppressionTable;
  idempotency_keys: IdempotencyKeyTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  referral_blocks: ReferralBlockTable;
  backtests: BacktestTable;
};

/** A tenant's blocked address (canonical mailbox, plugins/referral-checks/mailbox.ts) or domain. */
export type ReferralBlockTable = {
  tenant_id: string;
  value: string;
  created_at: string;
};

export type IdempotencyKeyTable = {
  tenant_id: string;
  scope: string;
  key: string;
  request_hash: string;
  status: number;
  response: string;
  created_at: string;
};

export type TenantTable = {
  id: string;
  name: string;
  /** Superseded by api_keys (2026-11-30): holds a value that matches no key. */
  api_key_hash: string;
  /** Superseded by webhook_secrets (2026-11-30): empty. */
  webhook_secret_sealed: string;
  created_at: string;
};

/** A tenant's API keys (at most two at once, for rotation), kept only as SHA-256 hashes. */
export type ApiKeyTable = {
  id: string;
  tenant_id: string;
  key_hash: string;
  /** The key's first characters, to tell keys apart in lists. */
  hint: string;
  created_at: string;
};

/** A tenant's webhook secrets (at most two at once), sealed (field webhook_secret). */
export type WebhookSecretTable = {
  id: string;
  tenant_id: string;
  secret_sealed: string;
  hint: string;
  created_at: string;
};

export type ProgramTable = {
  id: string;
  tenant_id: string;
  name: string;
  settings: string;
  active_version: number | null;
  /** Moved on by every write of one of the program's templates (the cache key of its templates). */
  templates_version: number;
  created_at: string;
  updated_at: string;
};

export type RuleVersionTable = {
  program_id: string;
  version: number;
  tenant_id: string;
  document: string;
  content_hash: string;
  created_at: string;
};

export type TemplateTable = {
  tenant_id: string;
  program_id: string;
  key: string;
  subject: string;
  html: string;
  text: string;
  updated_at: string;
};

export type ParticipantTable = {
  tenant_id: string;
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  country_code: string | null;
  referred_by: string | null;
  w9_on_file: number;
  w9_on_file_at: string | null;
  payout_info_complete: number;
  payout_info_completed_at: string | null;
  email_verified: number;
  email_verified_at: string | null;
  password_hash: string | null;
  /** When the participant unsubscribed from email-action emails; null while subscribed. Optional so a row need not name it. */
  unsubscribed_at?: string | null;
  /** The flags the referral checks raised on the last write with `referredBy` (JSON [{check, detail}]); null for none. Optional so a row need not name it. */
  referral_flags?: string | null;
  created_at: string;
  updated_at: string;
};

export type EventTable = {
  tenant_id: string;
  id: string;
  program_id: string;
  type: string;
  participant_id: string;
  data: string;
  occurred_at: string;
  request_hash: string;
  response: string;
  created_at: string;
  /** The facts the event was evaluated with (runtime/services/fact-snapshot.ts); null before backtests existed. */
  facts: string | null;
};

export type BacktestStatus = 'queued' | 'running' | 'done' | 'failed';

export type BacktestTable = {
  id: string;
  tenant_id: string;
  program_id: string;
  status: BacktestStatus;
  /** The request as accepted: window and the candidate's source (JSON). */
  params: string;
  /** The candidate ruleset document (JSON), kept so a resumed job replays the same rules. */
  candidate: string;
  events_total: number;
  events_done: number;
  /** Keyset position: the last event replayed. */
  cursor_occurred_at: string | null;
  cursor_id: string | null;
  /** Partial aggregates after the last chunk (JSON, bounded). */
  state: string;
  report: string | null;
  error: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

export type RewardStatus = 'pending' | 'available' | 'redeemed' | 'cancelled' | 'expired';

export type RewardTable = {
  id: string;
  tenant_id: string;
  program_id: string;
  event_id: string;
  rule_name: string;
  participant_id: string;
  kind: string;
  amount_minor: number;
  currency: string;
  description: string | null;
  status: RewardStatus;
  /** Why a `pending` reward waits: a sorted, comma-separated list (hold, review, payout_info, w9_required); '' otherwise. */
  pending_reasons: string;
  /** Value not yet redeemed; what expires or is cancelled. */
  remaining_minor: number;
  /** While set and in the future, the reward is held (reason `hold`). */
  hold_until: string | null;
  expires_at: string | null;
  /** The rule version that produced the reward, and its content hash: the receipt. */
  rule_version: number | null;
  rule_hash: string | null;
  /** A non-cash reward's value in USD cents that counts toward the W-9 total; null for none. */
  taxable_minor: number | null;
  /** JSON `{conditions, truncated}`: the conditions that passed when the rule fired (rules/receipt-trace.ts). */
  trace: string | null;
  /** JSON `[{check, detail}]`: the referral checks whose outcome `review` held this reward (pending reason `review`); null when none did. */
  review_flags: string | null;
  occurred_at: string;
  created_at: string;
  updated_at: string;
};

export type RewardActor = 'api' | 'scheduler' | 'rule';

/** One transition of a reward; rows are only ever added. */
export type RewardHistoryTable = {
  id: string;
  tenant_id: string;
  reward_id: string;
  from_status: RewardStatus | null;
  to_status: RewardStatus;
  pending_reasons: string;
  reason: string;
  actor: RewardActor;
  /** The value a redemption, expiry or cancellation moved. */
  amount_minor: number | null;
  idempotency_key: string | null;
  /** What a reviewer wrote with an approval or denial. */
  note: string | null;
  at: string;
};

/** `suppressed`: never sent, never retried, because the address is on the tenant's suppression list. */
export type EmailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'suppressed';

export type EmailTable = {
  id: string;
  tenant_id: string;
  program_id: string | null;
  participant_id: string | null;
  idempotency_key: string;
  type: string;
  template: string;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  status: EmailStatus;
  attempts: number;
  next_attempt_at: string | null;
  lease_until: string | null;
  /** The dispatcher holding the claim (set with lease_until); optional so a new row need not name it. */
  lease_holder?: string | null;
  last_response: string | null;
  message_id: string;
  sender: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  /**
   * A token the message carries in a link, sealed with its placeholder
   * (`{placeholder, value}`, bound to this row): html/text hold the
   * placeholder, and the dispatcher puts the token in only as it sends.
   * Optional so rows without one need not name it.
   */
  secret_sealed?: string | null;
  /** The status (sent or failed) last announced to webhooks; optional so writers need not name it. */
  announced_status?: string | null;
};

export type EmailSettingsTable = {
  tenant_id: string;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_security: string | null;
  smtp_username: string | null;
  smtp_password_sealed: string | null;
  smtp_test_from: string | null;
  /** The tenant acknowledged sending credentials without TLS (security none). */
  smtp_allow_plaintext: number | null;
  smtp_status: string | null;
  smtp_last_error: string | null;
  smtp_connected_at: string | null;
  notifications: string;
  reply_to: string | null;
  domain: string | null;
  domain_from: string | null;
  dkim_selector: string | null;
  dkim_private_sealed: string | null;
  dkim_public: string | null;
  domain_status: string | null;
  domain_verified_at: string | null;
  domain_checked_at: string | null;
  updated_at: string;
};

export type TokenTable = {
  id: string;
  tenant_id: string;
  participant_id: string;
  purpose: string;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
};

export type PayoutReminderTable = {
  tenant_id: string;
  participant_id: string;
  program_id: string;
  /** The event that opened this run of reminders; part of each reminder's idempotency key. */
  cycle: string;
  sent_count: number;
  last_sent_at: string | null;
  next_due_at: string | null;
};

export type RateLimitTable = {
  key: string;
  window_start: string;
  count: number;
};

export type LeaseTable = {
  name: string;
  holder: string;
  lease_until: string;
};

/** A console sign-in; the cookie carries the id, this row its SHA-256. */
export type AdminSessionTable = {
  id_hash: string;
  tenant_id: string;
  created_at: string;
  expires_at: string;
  /** Set by sign-out: the session is over even if its cookie was copied. */
  ended_at: string | null;
};

export type SuppressionTable = {
  tenant_id: string;
  /** Lower-cased. */
  address: string;
  /** The receiving server's answer that put it here. */
  reason: string;
  /** The email that bounced, when a bounce put it here. */
  email_id: string | null;
  created_at: string;
};

export type WebhookEndpointStatus = 'enabled' | 'disabled';

/** An outbound webhook destination. The signing secrets are sealed; during a rotation the previous one signs too, until `previous_secret_until`. */
export type WebhookEndpointTable = {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types. */
  events: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_until: string | null;
  status: WebhookEndpointStatus;
  /** Why it is disabled: `tenant` (by hand) or `failing` (deliveries failed for days). */
  disabled_reason: string | null;
  /** First failure of the current run of failures; cleared by a success. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
};

export type WebhookDeliveryStatus = 'queued' | 'sending' | 'delivered' | 'failed';

export type WebhookDeliveryTable = {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  /** The Standard Webhooks `webhook-id`: the same across retries and redeliveries, so receivers dedupe. */
  message_id: string;
  event_type: string;
  /** The JSON body, fixed when the fact is announced. */
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  /** Retries stop here (about three days after the fact, or after a redelivery was asked for). */
  give_up_at: string;
  lease_until: string | null;
  last_status_code: number | null;
  /** The start of the receiver's last answer, capped. */
  last_response: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
};
