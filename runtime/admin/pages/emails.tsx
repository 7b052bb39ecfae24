/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { emailDetailView, emailView } from '../../services/views.ts';
import { AppError } from '../../errors.ts';
import { EMAIL_TYPES } from '../../../plugins/mail/templates/default-templates.ts';
import { isTemplateFailure } from '../../../plugins/mail/compose.ts';
import { Badge, InputField, Notice, PostForm, SelectField, when } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { readForm } from '../../http.ts';

type Email = ReturnType<typeof emailView>;
type EmailDetail = ReturnType<typeof emailDetailView>;
const FILTERS = ['status', 'type', 'participantId', 'before'] as const;

function StatusBadge(p: { status: string }) {
  const tone = p.status === 'sent' ? 'ok' : p.status === 'failed' || p.status === 'suppressed' ? 'bad' : 'warn';
  return <Badge tone={tone}>{p.status}</Badge>;
}

/** The filters as they arrived, minus empty ones, for the API query and the "older" link. */
function filtersOf(c: Context<AdminEnv>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = c.req.query(name)?.trim();
    if (value) out[name] = value;
  }
  return out;
}

function Filters(p: { f: Record<string, string>; counts?: Record<string, number> }) {
  const label = (s: string) => (p.counts ? `${s} (${p.counts[s] ?? 0})` : s);
  return (
    <form method="get" action="/admin/emails" class="card" aria-label="Filters">
      <div class="grid">
        <SelectField
          name="status"
          label="Status"
          value={p.f.status ?? ''}
          options={[{ value: '', label: 'Any status' }, ...['queued', 'sending', 'sent', 'failed', 'suppressed'].map((s) => ({ value: s, label: label(s) }))]}
        />
        <SelectField name="type" label="Type" value={p.f.type ?? ''} options={[{ value: '', label: 'Any type' }, ...[...EMAIL_TYPES, 'smtp-test'].map((t) => ({ value: t, label: t }))]} />
        <InputField name="participantId" label="Participant id" value={p.f.participantId ?? ''} autocomplete="off" />
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <a class="button secondary" href="/admin/emails">Clear filters</a>
      </div>
    </form>
  );
}

type Summary = { queued: number; sending: number; failed: number; oldestDueAt: string | null };

/** The outbox at a glance: how much waits and since when, how much failed (with a link to those). */
function OutboxSummary(p: { s: Summary }) {
  const waiting = p.s.queued + p.s.sending;
  return (
    <section class="card" aria-labelledby="outbox-heading">
      <h2 id="outbox-heading">Outbox</h2>
      <dl class="facts">
        <dt>Waiting to go out</dt>
        <dd>
          {waiting === 0 ? 'Nothing: every email has been handed to a mail server or has failed.' : `${waiting} (${p.s.sending} being sent now)`}
          {p.s.oldestDueAt && <div class="small muted">oldest due since {when(p.s.oldestDueAt)}</div>}
        </dd>
        <dt>Failed</dt>
        <dd>
          {p.s.failed === 0 ? <Badge tone="ok">none</Badge> : <><Badge tone="bad">{p.s.failed}</Badge> <a href="/admin/emails?status=failed">Show the failed emails</a></>}
        </dd>
      </dl>
    </section>
  );
}

function EmailRows(p: { emails: Email[]; csrf: string; back: string }) {
  return (
    <table class="stack">
      <caption class="muted small">Newest first</caption>
      <thead>
        <tr>
          <th scope="col">Created</th><th scope="col">Type</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col"><span class="muted">Action</span></th>
        </tr>
      </thead>
      <tbody>
        {p.emails.map((e) => (
          <tr>
            <td data-label="Created" class="nowrap">{when(e.createdAt)}</td>
            <td data-label="Type"><code>{e.type}</code></td>
            <td data-label="To" class="break">{e.to}</td>
            <td data-label="Subject" class="break"><a href={`/admin/emails/${e.id}`}>{e.subject}</a></td>
            <td data-label="Status"><StatusBadge status={e.status} />{e.nextAttemptAt && <div class="small muted">next try {when(e.nextAttemptAt)}</div>}</td>
            <td data-label="Attempts" class="num">{e.attempts}</td>
            <td data-label="Last answer" class="break small">{e.lastResponse ?? '—'}</td>
            <td data-label="Action">
              {isTemplateFailure({ status: e.status, last_response: e.lastResponse }) ? (
                // Never rendered, so nothing to retry: the fix is the template, which later emails use.
                e.programId ? <a class="small" href={`/admin/programs/${encodeURIComponent(e.programId)}/templates/${encodeURIComponent(e.template)}`}>Fix template</a> : <span class="muted">—</span>
              ) : e.status === 'failed' ? (
                <PostForm action={`/admin/emails/${e.id}/retry`} csrf={p.csrf}>
                  <input type="hidden" name="back" value={p.back} />
                  <button type="submit" class="small secondary" aria-label={`Retry email to ${e.to}`}>Retry</button>
                </PostForm>
              ) : (
                <span class="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Detail(p: { e: EmailDetail }) {
  const { e } = p;
  return (
    <>
      <section class="card" aria-labelledby="detail-heading">
        <h2 id="detail-heading">Delivery</h2>
        <dl class="facts">
          <dt>Status</dt><dd><StatusBadge status={e.status} /></dd>
          <dt>To</dt><dd>{e.to}</dd>
          <dt>Type</dt><dd><code>{e.type}</code> (template <code>{e.template}</code>)</dd>
          <dt>Attempts</dt><dd>{e.attempts}</dd>
          <dt>Last answer</dt><dd>{e.lastResponse ?? '—'}</dd>
          <dt>Sender</dt><dd>{e.sender ?? '—'}</dd>
          <dt>Created</dt><dd>{when(e.createdAt)}</dd>
          <dt>Sent</dt><dd>{when(e.sentAt)}</dd>
          <dt>Participant</dt><dd>{e.participantId ? <a href={`/admin/participants?q=${encodeURIComponent(e.participantId)}`}>{e.participantId}</a> : '—'}</dd>
          <dt>Message-ID</dt><dd><code class="small">{e.messageId}</code></dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="content-heading">
        <h2 id="content-heading">Content</h2>
        <iframe class="preview" title="Email as HTML" sandbox="" srcdoc={e.html}></iframe>
        <h3>Plain text</h3>
        <pre class="text-preview">{e.text}</pre>
      </section>
    </>
  );
}

export const emailsPage = new Hono<AdminEnv>()
  .get('/', async (c) => {
    const f = filtersOf(c);
    const [res, summary] = await Promise.all([
      c.var.api<{ emails: Email[]; next: string | null; counts: Record<string, number> }>('GET', `/v1/emails?${new URLSearchParams({ ...f, limit: '50' })}`),
      c.var.api<Summary>('GET', '/v1/emails/summary'),
    ]);
    const here = `/admin/emails${Object.keys(f).length ? `?${new URLSearchParams(f)}` : ''}`;
    return renderPage(
      c,
      { title: 'Emails', section: 'emails', lead: 'Every email of this tenant: queued, sending, sent, failed or suppressed (an address on the suppression list, or a participant who unsubscribed), with the mail server’s last answer.' },
      <>
        {summary.ok && <OutboxSummary s={summary.body} />}
        <Filters f={f} counts={res.ok ? res.body.counts : undefined} />
        {!res.ok ? (
          <Notice kind="error">{res.error!.message}</Notice>
        ) : res.body.emails.length === 0 ? (
          <p class="card">No emails match these filters.</p>
        ) : (
          <section aria-label="Email log">
            <div class="table-wrap">
              <EmailRows emails={res.body.emails} csrf={c.var.session.csrf} back={here} />
            </div>
            {res.body.next && (
              <p class="pager">
                <a href={`/admin/emails?${new URLSearchParams({ ...f, before: res.body.next })}`}>Older emails</a>
              </p>
            )}
          </section>
        )}
      </>,
      res.ok ? 200 : res.status,
    );
  })
  .get('/:emailId', async (c) => {
    const res = await c.var.api<EmailDetail>('GET', `/v1/emails/${encodeURIComponent(c.req.param('emailId'))}`);
    if (!res.ok) throw new AppError('not_found', 'There is no such email.');
    return renderPage(c, { title: res.body.subject, section: 'emails', lead: <a href="/admin/emails">← All emails</a> }, <Detail e={res.body} />);
  })
  .post('/:emailId/retry', async (c) => {
    const back = (await readForm(c)).back ?? '';
    const to = back.startsWith('/admin/emails') ? back : '/admin/emails';
    const res = await c.var.api<Email>('POST', `/v1/emails/${encodeURIComponent(c.req.param('emailId'))}/retry`);
    if (!res.ok) return redirectWithFlash(c, to, { kind: 'error', text: res.error!.message });
    return redirectWithFlash(c, to, { kind: 'success', text: `The email to ${res.body.to} is queued again.` });
  });
