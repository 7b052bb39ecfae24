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
  emails: EmailTable;
  email_settings: EmailSettingsTable;
  tokens: TokenTable;
  payout_reminders: PayoutReminderTable;
  rate_limits: RateLimitTable;
  leases: LeaseTable;
  admin_sessions: AdminSessionTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
};

export type TenantTable = {
  id: string;
  name: string;
  api_key_hash: string;
  webhook_secret_sealed: string;
  created_at: string;
};

export type ProgramTable = {
  id: string;
  tenant_id: string;
  name: string;
  settings: string;
  active_version: number | null;
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
};

export type RewardStatus = 'available' | 'pending_payout_info' | 'cancelled';

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
  occurred_at: string;
  created_at: string;
  updated_at: string;
};

export type EmailStatus = 'queued' | 'sending' | 'sent' | 'failed';

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
