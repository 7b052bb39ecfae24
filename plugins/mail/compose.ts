import type { EmailTable } from '../../runtime/store/database.ts';
import type { EmailDraft, ProgramView } from '../types.ts';
import { DEFAULT_TEMPLATES, type TemplateSource } from './templates/default-templates.ts';
import { renderTemplate, TemplateError, type RenderedMail } from './templates/template-renderer.ts';
import { sha256 } from '../../runtime/security/sha256.ts';
import { isTypeEnabled, type NotificationSwitches } from './notification-switches.ts';

export type ComposeEnv = {
  tenantId: string;
  program: ProgramView | null;
  /** The program's own templates by key; defaults fill the rest. */
  templates: ReadonlyMap<string, TemplateSource>;
  switches: NotificationSwitches;
  /** Shown as `program.name` when no program is involved (account emails): the tenant's name. */
  brandName?: string;
  now: string;
  messageIdDomain: string;
};

export function findTemplate(key: string, templates: ReadonlyMap<string, TemplateSource>): TemplateSource | undefined {
  return templates.get(key) ?? DEFAULT_TEMPLATES[key as keyof typeof DEFAULT_TEMPLATES];
}

/**
 * A stable Message-ID from the idempotency key: a resend after a crash carries
 * the same ID, so receivers that deduplicate on it show one message.
 */
export async function messageIdFor(tenantId: string, key: string, domain: string): Promise<string> {
  const digest = sha256(new TextEncoder().encode(`${tenantId}\u0000${key}`));
  const hex = Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `<${hex}@${domain}>`;
}

/** What the log shows for an email whose template failed; such a row is never sent nor retried. */
export const TEMPLATE_ERROR = 'template_error';

export function isTemplateFailure(row: { status: string; last_response: string | null }): boolean {
  return row.status === 'failed' && (row.last_response ?? '').startsWith(`${TEMPLATE_ERROR}:`);
}

const notRendered = (key: string): RenderedMail => ({ subject: `Not sent: the ${key} template failed to render`, html: '', text: '' });

/** The rendered parts, or the reason they could not be rendered (a `template_error: …` line for the log). */
function renderDraft(draft: EmailDraft, env: ComposeEnv): { mail: RenderedMail; failure: string | null } {
  const source = findTemplate(draft.template, env.templates);
  if (!source) return { mail: notRendered(draft.template), failure: `${TEMPLATE_ERROR}: the template ${draft.template} does not exist` };
  const r = draft.recipient;
  try {
    const mail = renderTemplate(source, {
      participant: { id: r.id, email: r.email, firstName: r.firstName, lastName: r.lastName },
      program: env.program ? { id: env.program.id, name: env.program.name } : { name: env.brandName ?? '' },
      ...draft.data,
    });
    return { mail, failure: null };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return { mail: notRendered(draft.template), failure: `${TEMPLATE_ERROR}: ${error.pointer}: ${error.message}`.slice(0, 1000) };
  }
}

/**
 * Renders a draft into an outbox row, or null when the tenant switched its
 * type off. A template that fails to render (one stored before the checks
 * existed, or one that fails only with this event's data) gives a `failed`
 * row with the reason instead of an exception: the event that asked for the
 * email is still recorded.
 */
export async function composeEmail(draft: EmailDraft, env: ComposeEnv): Promise<EmailTable | null> {
  if (!isTypeEnabled(env.switches, draft.type)) return null;
  const r = draft.recipient;
  const { mail: rendered, failure } = renderDraft(draft, env);
  return {
    id: crypto.randomUUID(),
    tenant_id: env.tenantId,
    program_id: env.program?.id ?? null,
    participant_id: r.id,
    idempotency_key: draft.idempotencyKey,
    type: draft.type,
    template: draft.template,
    to_address: r.email,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    status: failure ? 'failed' : 'queued',
    attempts: 0,
    next_attempt_at: failure ? null : env.now,
    lease_until: null,
    last_response: failure,
    message_id: await messageIdFor(env.tenantId, draft.idempotencyKey, env.messageIdDomain),
    sender: null,
    created_at: env.now,
    updated_at: env.now,
    sent_at: null,
  };
}

/** composeEmail for each draft, in order; the types switched off are left out. */
export async function composeEmails(drafts: readonly EmailDraft[], env: ComposeEnv): Promise<EmailTable[]> {
  const rows: EmailTable[] = [];
  for (const draft of drafts) {
    const row = await composeEmail(draft, env);
    if (row) rows.push(row);
  }
  return rows;
}
