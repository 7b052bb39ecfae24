/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { webhookDeliveryView } from '../../services/webhook-views.ts';
import { AppError } from '../../errors.ts';
import { Badge, Notice, PostForm, SelectField, when } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash } from '../flash.ts';
import { fieldErrors } from '../api-errors.ts';
import type { Endpoint } from '../webhook/endpoint-form.tsx';

// What was sent where and what came back: the API's delivery list (status,
// attempts, the receiver's last status code and the bounded excerpt of its
// answer) by endpoint and status, a page at a time. A delivered or failed one
// can be sent again, after a confirmation; the API decides whether it may.

export const DELIVERIES_PATH = '/admin/settings/webhook-deliveries';
const WEBHOOKS = '/admin/settings/webhooks';
const PAGE_SIZE = 25;
const STATUSES = ['queued', 'sending', 'delivered', 'failed'] as const;

type Delivery = ReturnType<typeof webhookDeliveryView>;
type ListState = { endpointId: string; status: string; before: string };

function listState(c: Context<AdminEnv>): ListState {
  const q = (name: string, max: number) => (c.req.query(name) ?? '').trim().slice(0, max);
  return { endpointId: q('endpointId', 200), status: q('status', 20), before: q('before', 100) };
}

function pageLink(s: ListState, before: string | null): string {
  const params = new URLSearchParams();
  if (s.endpointId) params.set('endpointId', s.endpointId);
  if (s.status) params.set('status', s.status);
  if (before) params.set('before', before);
  const text = params.toString();
  return `${DELIVERIES_PATH}${text ? `?${text}` : ''}`;
}

function DeliveryStatus(p: { d: Delivery }) {
  const tone = p.d.status === 'delivered' ? 'ok' : p.d.status === 'failed' ? 'bad' : p.d.attempts > 0 ? 'warn' : 'neutral';
  return <Badge tone={tone}>{p.d.status === 'queued' && p.d.attempts > 0 ? 'retrying' : p.d.status}</Badge>;
}

/** The receiver's last answer: its status code and the first bytes of its body as stored (bounded by the dispatcher), or why none came. */
function LastResponse(p: { d: Delivery }) {
  if (p.d.lastStatusCode === null && !p.d.lastError) return <span class="muted small">none yet</span>;
  return (
    <>
      {p.d.lastStatusCode !== null && <Badge tone={p.d.lastStatusCode >= 200 && p.d.lastStatusCode < 300 ? 'ok' : 'bad'}>HTTP {p.d.lastStatusCode}</Badge>}
      {/* The dispatcher's words add nothing to a status code they only repeat ("the receiver answered 503"). */}
      {p.d.lastError && !(p.d.lastStatusCode !== null && p.d.lastError.endsWith(String(p.d.lastStatusCode))) && <div class="small">{p.d.lastError}</div>}
      {p.d.lastResponse && <pre class="excerpt small break">{p.d.lastResponse}</pre>}
    </>
  );
}

const nextAttempt = (d: Delivery) => (d.status === 'queued' || d.status === 'sending' ? when(d.nextAttemptAt) : '—');
const canRedeliver = (d: Delivery) => d.status === 'delivered' || d.status === 'failed';

export const deliveriesPage = new Hono<AdminEnv>()
  .get('/', async (c) => {
    const s = listState(c);
    const query = [`limit=${PAGE_SIZE}`, s.endpointId && `endpointId=${encodeURIComponent(s.endpointId)}`, s.status && `status=${encodeURIComponent(s.status)}`, s.before && `before=${encodeURIComponent(s.before)}`].filter(Boolean).join('&');
    const [list, endpoints] = await Promise.all([
      c.var.api<{ deliveries: Delivery[]; next: string | null }>('GET', `/v1/webhook-deliveries?${query}`),
      c.var.api<{ endpoints: Endpoint[] }>('GET', '/v1/webhook-endpoints'),
    ]);
    const known = endpoints.ok ? endpoints.body.endpoints : [];
    const urlOf = new Map(known.map((e) => [e.id, e.url]));
    const errors = fieldErrors(list.error);
    const rows = list.ok ? list.body.deliveries : [];
    const csrf = c.var.session.csrf;
    return renderPage(
      c,
      {
        title: 'Webhook deliveries',
        section: 'settings',
        sub: { label: 'Settings', links: subNav(SETTINGS_NAV, WEBHOOKS) },
        lead: 'Every announcement to your endpoints, newest first: what the receiver answered last, and when it is tried next.',
      },
      <>
        <p><a href={WEBHOOKS}>← Webhook endpoints</a></p>
        <form method="get" action={DELIVERIES_PATH} class="card" role="search" aria-label="Filter deliveries">
          <h2>Filter</h2>
          <SelectField name="endpointId" label="Endpoint" value={s.endpointId} options={[{ value: '', label: 'All endpoints' }, ...known.map((e) => ({ value: e.id, label: e.url }))]} error={errors.endpointId} />
          <SelectField name="status" label="Status" value={s.status} options={[{ value: '', label: 'Any status' }, ...STATUSES.map((x) => ({ value: x, label: x }))]} error={errors.status} />
          <div class="actions">
            <button type="submit">Show deliveries</button>
            {(s.endpointId || s.status) && <a href={DELIVERIES_PATH}>Clear the filter</a>}
          </div>
        </form>
        {list.error && !errors.endpointId && !errors.status && <Notice kind="error">{list.error.message}{errors.before ? ': the page link is out of date; start from the first page.' : ''}</Notice>}
        <section class="card" aria-labelledby="deliveries-heading">
          <h2 id="deliveries-heading">Deliveries{s.before ? ' (continued)' : ''}</h2>
          {rows.length === 0 ? (
            <p role="status">{s.endpointId || s.status ? 'No delivery matches the filter.' : 'Nothing has been sent yet.'}</p>
          ) : (
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Created</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last response</th><th scope="col">Next attempt</th><th scope="col"><span class="muted">Action</span></th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr data-delivery={d.id}>
                    <td data-label="Created" class="nowrap">{when(d.createdAt)}</td>
                    <td data-label="Event" class="break">
                      <code>{d.type}</code>
                      {!s.endpointId && <div class="small muted">to {urlOf.get(d.endpointId) ?? d.endpointId}</div>}
                    </td>
                    <td data-label="Status"><DeliveryStatus d={d} />{d.deliveredAt && <div class="small muted">{when(d.deliveredAt)}</div>}</td>
                    <td data-label="Attempts">{d.attempts}</td>
                    <td data-label="Last response" class="break"><LastResponse d={d} /></td>
                    <td data-label="Next attempt" class="nowrap">{nextAttempt(d)}</td>
                    <td data-label="Action">
                      {canRedeliver(d) ? (
                        <PostForm action={`${DELIVERIES_PATH}/${encodeURIComponent(d.id)}/confirm`} csrf={csrf} class="inline-action">
                          <button type="submit" class="small secondary" aria-label={`Redeliver the ${d.type} of ${when(d.createdAt)}…`}>Redeliver…</button>
                        </PostForm>
                      ) : (
                        <span class="muted small">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav class="pager actions" aria-label="Pages">
            {s.before && <a href={pageLink(s, null)}>First page</a>}
            {list.ok && list.body.next && <a href={pageLink(s, list.body.next)}>Next page</a>}
          </nav>
        </section>
      </>,
      list.ok ? 200 : list.status,
    );
  })
  .post('/:id/confirm', async (c) => {
    const res = await c.var.api<Delivery>('GET', `/v1/webhook-deliveries/${encodeURIComponent(c.req.param('id'))}`);
    if (!res.ok) throw new AppError(res.status === 404 ? 'not_found' : 'validation_failed', res.error!.message);
    const d = res.body;
    const endpoint = await c.var.api<Endpoint>('GET', `/v1/webhook-endpoints/${encodeURIComponent(d.endpointId)}`);
    const back = pageLink({ endpointId: d.endpointId, status: '', before: '' }, null);
    return renderPage(
      c,
      { title: 'Confirm', section: 'settings', sub: { label: 'Settings', links: subNav(SETTINGS_NAV, WEBHOOKS) } },
      <section class="card" aria-labelledby="confirm-heading">
        <h2 id="confirm-heading">Redeliver the {d.type} of {when(d.createdAt)}?</h2>
        <Notice kind="info">
          It is sent again to {endpoint.ok ? endpoint.body.url : 'its endpoint'} with the same webhook-id (so a receiver that saw it already can tell) and a fresh three-day retry window; its attempts count from zero. It was {d.status} after {d.attempts} attempt{d.attempts === 1 ? '' : 's'}.
        </Notice>
        <PostForm action={`${DELIVERIES_PATH}/${encodeURIComponent(d.id)}/redeliver`} csrf={c.var.session.csrf}>
          <div class="actions">
            <button type="submit">Yes, redeliver it</button>
            <a href={back}>No, go back</a>
          </div>
        </PostForm>
      </section>,
    );
  })
  .post('/:id/redeliver', async (c) => {
    const res = await c.var.api<Delivery>('POST', `/v1/webhook-deliveries/${encodeURIComponent(c.req.param('id'))}/redeliver`);
    if (res.status === 404) throw new AppError('not_found', res.error!.message);
    if (!res.ok) return redirectWithFlash(c, DELIVERIES_PATH, { kind: 'error', text: `Not redelivered: ${res.error!.message}.` });
    const back = pageLink({ endpointId: res.body.endpointId, status: '', before: '' }, null);
    return redirectWithFlash(c, back, { kind: 'success', text: `The ${res.body.type} of ${when(res.body.createdAt)} is queued to be sent again.` });
  });
