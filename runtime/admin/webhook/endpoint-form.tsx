/** @jsxImportSource hono/jsx */
import type { ApiError } from '../admin-env.ts';
import type { webhookEndpointView } from '../../services/webhook-views.ts';
import { CheckField, InputField, Notice, PostForm, TextAreaField, when } from '../components.tsx';
import { fieldErrors } from '../api-errors.ts';
import { WEBHOOK_EVENT_TYPES } from '../../../plugins/webhooks/event-types.ts';

// The endpoint form (create and edit share it) and the one place a signing
// secret is ever shown: on the page of the request that made it, never in a
// redirect, a cookie or a log.

export type Endpoint = ReturnType<typeof webhookEndpointView>;
export type EndpointInput = { url: string; events: string[]; description: string };

/** One checkbox per event type (`event.<type>`): the console's form reader keeps one value per name. */
const EVENT = 'event.';

const EVENT_WORDS: Record<string, string> = {
  'reward.created': 'A reward was created',
  'reward.status_changed': 'A reward changed status (available, redeemed, cancelled…)',
  'event.processed': 'An event was evaluated (with the rules that fired)',
  'participant.w9_required': 'A participant needs a W-9',
  'email.sent': 'An email was sent',
  'email.failed': 'An email failed',
};

/** What the form says, as the API's body; anything not an event type the API knows is not offered, so not read. */
export function readEndpointForm(form: Record<string, string>): EndpointInput {
  return {
    url: (form.url ?? '').trim().slice(0, 4096),
    events: WEBHOOK_EVENT_TYPES.filter((t) => form[`${EVENT}${t}`] === 'on'),
    description: (form.description ?? '').trim().slice(0, 2000),
  };
}

export function EndpointForm(p: { action: string; csrf: string; value: EndpointInput; error: ApiError | null; submit: string; cancel?: string; idempotencyKey?: string }) {
  const errors = fieldErrors(p.error);
  return (
    <PostForm action={p.action} csrf={p.csrf}>
      {p.idempotencyKey && <input type="hidden" name="key" value={p.idempotencyKey} />}
      {p.error && !Object.keys(errors).length && <Notice kind="error">{p.error.message}</Notice>}
      <InputField name="url" label="URL" type="url" value={p.value.url} required autocomplete="off" placeholder="https://example.com/webhooks/advocate" error={errors.url} hint="HTTPS, on a public address. Redirects are not followed." />
      <fieldset aria-describedby={errors.events ? 'events-error' : undefined}>
        <legend>Events to send</legend>
        {WEBHOOK_EVENT_TYPES.map((t) => (
          <CheckField name={`${EVENT}${t}`} id={`f-event-${t.replace('.', '-')}`} label={t} hint={EVENT_WORDS[t]} checked={p.value.events.includes(t)} />
        ))}
        {errors.events && <p class="field-error" id="events-error">{errors.events.includes('at least one event type') ? 'Choose at least one event type.' : errors.events}</p>}
      </fieldset>
      <TextAreaField name="description" label="Description" optional rows={2} value={p.value.description} error={errors.description} hint="What receives these, for whoever reads this page next; at most 500 characters." />
      <div class="actions">
        <button type="submit">{p.submit}</button>
        {p.cancel && <a href={p.cancel}>Cancel</a>}
      </div>
    </PostForm>
  );
}

/** A secret shown once: a read-only field (focus it, select all, copy) and what to do with it. */
export function SecretOnce(p: { heading: string; secret: string; endpoint: Endpoint; children?: unknown }) {
  return (
    <section class="card secret-once" aria-labelledby="secret-heading">
      <h2 id="secret-heading">{p.heading}</h2>
      <Notice kind="success">
        <p>
          <strong>Shown once.</strong> Copy the signing secret of <code class="break">{p.endpoint.url}</code> now: it is kept sealed and this page cannot show it again. Your receiver verifies each delivery's <code>webhook-signature</code> with it (Standard Webhooks).
        </p>
      </Notice>
      <div class="field">
        <label for="signing-secret">Signing secret</label>
        {/* A textarea, not an input: the whole value stays in view on a phone, where an input would cut it off. */}
        <textarea id="signing-secret" readonly rows={2} class="code copy-field" autocomplete="off" spellcheck={false} aria-describedby="signing-secret-hint">{p.secret}</textarea>
        <p class="hint" id="signing-secret-hint">Focus the field, select all and copy.</p>
      </div>
      {p.endpoint.previousSecretValidUntil && (
        <p>
          The previous secret stays valid until <strong>{when(p.endpoint.previousSecretValidUntil)}</strong>: until then every delivery carries both signatures, so switch your receiver to the new secret before that.
        </p>
      )}
      {p.children as any}
    </section>
  );
}
