/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import { AppError } from '../../errors.ts';
import { Badge, Notice, PostForm, SelectField, when } from '../components.tsx';
import { formOf, renderPage } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash } from '../flash.ts';
import { randomToken } from '../../security/hashing.ts';
import { EndpointForm, readEndpointForm, SecretOnce, type Endpoint, type EndpointInput } from '../webhook/endpoint-form.tsx';
import { DELIVERIES_PATH } from './webhook-deliveries.tsx';

// The tenant's webhook endpoints: add one (its signing secret shown once),
// change its events, rotate its secret, delete it, enable or disable it. Each
// is exactly one API call, so the API's validation and limits answer here.
// The page also says the one thing a tenant cannot see from its receiver's
// side: an endpoint we disabled because its deliveries failed for days, and
// the way back (fix the receiver, enable it; what waited is then delivered).

export const WEBHOOKS_PATH = '/admin/settings/webhooks';
const PATH = WEBHOOKS_PATH;
const endpointPath = (id: string) => `${PATH}/${encodeURIComponent(id)}`;
const EMPTY: EndpointInput = { url: '', events: [], description: '' };

/** How long the old secret keeps signing after a rotation (the API's `graceSeconds`: a week at most). */
const GRACE = [
  { value: '3600', label: 'One hour' },
  { value: '86400', label: 'One day (the usual)' },
  { value: '604800', label: 'Seven days' },
  { value: '0', label: 'None: the old secret stops now' },
];

function Status(p: { e: Endpoint }) {
  if (p.e.status === 'enabled') return p.e.failingSince ? <Badge tone="warn">failing since {when(p.e.failingSince)}</Badge> : <Badge tone="ok">enabled</Badge>;
  return <Badge tone={p.e.disabledReason === 'failing' ? 'bad' : 'neutral'}>{p.e.disabledReason === 'failing' ? 'disabled: failing' : 'disabled'}</Badge>;
}

function Endpoints(p: { endpoints: Endpoint[]; csrf: string }) {
  const failing = p.endpoints.filter((e) => e.status === 'disabled' && e.disabledReason === 'failing');
  return (
    <section class="card" aria-labelledby="endpoints-heading">
      <h2 id="endpoints-heading">Endpoints</h2>
      {failing.map((e) => (
        <Notice kind="error">
          {e.url} was disabled on {when(e.updatedAt)}: its deliveries failed without a success since {when(e.failingSince)}. Fix the receiver, then enable it; the deliveries that waited go out then.
        </Notice>
      ))}
      {p.endpoints.length === 0 ? (
        <p class="muted">No endpoints yet: add one below.</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col"><span class="muted">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {p.endpoints.map((e) => (
              <tr data-endpoint={e.id}>
                <td data-label="URL" class="break">
                  <code>{e.url}</code>
                  {e.description && <div class="small muted">{e.description}</div>}
                  {e.previousSecretValidUntil && <div class="small">previous secret valid until {when(e.previousSecretValidUntil)}</div>}
                </td>
                <td data-label="Events" class="small">{e.events.join(', ')}</td>
                <td data-label="Status"><Status e={e} /></td>
                <td data-label="Actions">
                  <div class="actions">
                    <a href={`${DELIVERIES_PATH}?endpointId=${encodeURIComponent(e.id)}`} aria-label={`Deliveries to ${e.url}`}>Deliveries</a>
                    <a href={`${endpointPath(e.id)}/edit`} aria-label={`Edit ${e.url}`}>Edit</a>
                    <PostForm action={`${endpointPath(e.id)}/${e.status === 'enabled' ? 'disable' : 'enable'}`} csrf={p.csrf} class="inline-action">
                      <button type="submit" class="small secondary" aria-label={`${e.status === 'enabled' ? 'Disable' : 'Enable'} ${e.url}`}>{e.status === 'enabled' ? 'Disable' : 'Enable'}</button>
                    </PostForm>
                    <PostForm action={`${endpointPath(e.id)}/confirm`} csrf={p.csrf} class="inline-action">
                      <input type="hidden" name="action" value="rotate" />
                      <button type="submit" class="small secondary" aria-label={`Rotate the secret of ${e.url}…`}>Rotate secret…</button>
                    </PostForm>
                    <PostForm action={`${endpointPath(e.id)}/confirm`} csrf={p.csrf} class="inline-action">
                      <input type="hidden" name="action" value="delete" />
                      <button type="submit" class="small danger" aria-label={`Delete ${e.url}…`}>Delete…</button>
                    </PostForm>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p><a href={DELIVERIES_PATH}>All deliveries</a></p>
    </section>
  );
}

async function render(c: Context<AdminEnv>, o: { form?: EndpointInput; error?: ApiError | null; created?: Endpoint & { secret: string }; status?: number } = {}) {
  const list = await c.var.api<{ endpoints: Endpoint[] }>('GET', '/v1/webhook-endpoints');
  return renderPage(
    c,
    {
      title: 'Webhooks',
      section: 'settings',
      sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) },
      lead: 'Where rewards, events and emails are announced, signed per Standard Webhooks. Failed deliveries are retried for about three days.',
    },
    <>
      {o.created && <SecretOnce heading="Endpoint added" secret={o.created.secret} endpoint={o.created} />}
      <Endpoints endpoints={list.ok ? list.body.endpoints : []} csrf={c.var.session.csrf} />
      <section class="card" aria-labelledby="add-heading">
        <h2 id="add-heading">Add an endpoint</h2>
        <EndpointForm action={PATH} csrf={c.var.session.csrf} value={o.form ?? EMPTY} error={o.error ?? null} submit="Add the endpoint" idempotencyKey={randomToken(16)} />
      </section>
    </>,
    o.status ?? (list.ok ? 200 : list.status),
  );
}

async function loadEndpoint(c: Context<AdminEnv>): Promise<Endpoint> {
  const res = await c.var.api<Endpoint>('GET', `/v1/webhook-endpoints/${encodeURIComponent(c.req.param('id') ?? '')}`);
  if (!res.ok) throw new AppError(res.status === 404 ? 'not_found' : 'validation_failed', res.error!.message);
  return res.body;
}

function editPage(c: Context<AdminEnv>, e: Endpoint, value: EndpointInput, error: ApiError | null, status = 200) {
  return renderPage(
    c,
    { title: 'Edit endpoint', section: 'settings', sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) } },
    <section class="card" aria-labelledby="edit-heading">
      <h2 id="edit-heading">
        Edit <code class="break">{e.url}</code>
      </h2>
      <EndpointForm action={`${endpointPath(e.id)}/edit`} csrf={c.var.session.csrf} value={value} error={error} submit="Save the endpoint" cancel={PATH} />
    </section>,
    status,
  );
}

type Action = 'rotate' | 'delete';
const isAction = (value: string | undefined): value is Action => value === 'rotate' || value === 'delete';

function confirmPage(c: Context<AdminEnv>, action: Action, e: Endpoint) {
  return renderPage(
    c,
    { title: 'Confirm', section: 'settings', sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) } },
    <section class="card" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">{action === 'rotate' ? `Rotate the signing secret of ${e.url}?` : `Delete the endpoint ${e.url}?`}</h2>
      <Notice kind="info">
        {action === 'rotate'
          ? 'A new signing secret is made and shown once on the next page. The old one keeps signing for the time you choose: meanwhile every delivery carries both signatures, so your receiver keeps verifying while you switch it to the new secret.'
          : 'Nothing more is sent to this URL: its deliveries still waiting are dropped and its history goes with it. This cannot be undone; to pause it instead, disable it.'}
      </Notice>
      <PostForm action={`${endpointPath(e.id)}/do`} csrf={c.var.session.csrf}>
        <input type="hidden" name="action" value={action} />
        <input type="hidden" name="key" value={randomToken(16)} />
        {action === 'rotate' && <SelectField name="graceSeconds" label="The old secret stays valid for" value="86400" options={GRACE} />}
        <div class="actions">
          <button type="submit" class={action === 'delete' ? 'danger' : undefined}>{action === 'rotate' ? 'Yes, rotate the secret' : 'Yes, delete the endpoint'}</button>
          <a href={PATH}>No, go back</a>
        </div>
      </PostForm>
    </section>,
  );
}

export const webhooksPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/', async (c) => {
    const form = await formOf(c);
    const input = readEndpointForm(form);
    const key = /^[A-Za-z0-9_-]{1,200}$/.test(form.key ?? '') ? form.key! : crypto.randomUUID();
    const res = await c.var.api<Endpoint & { secret: string }>('POST', '/v1/webhook-endpoints', { url: input.url, events: input.events, ...(input.description ? { description: input.description } : {}) }, { 'idempotency-key': key });
    if (!res.ok) return render(c, { form: input, error: res.error, status: res.status });
    return render(c, { created: res.body, status: 201 });
  })
  .get('/:id/edit', async (c) => {
    const e = await loadEndpoint(c);
    return editPage(c, e, { url: e.url, events: e.events, description: e.description ?? '' }, null);
  })
  .post('/:id/edit', async (c) => {
    const e = await loadEndpoint(c);
    const input = readEndpointForm(await formOf(c));
    const res = await c.var.api<Endpoint>('PATCH', `/v1/webhook-endpoints/${encodeURIComponent(e.id)}`, { url: input.url, events: input.events, description: input.description || null });
    if (!res.ok) return editPage(c, e, input, res.error, res.status);
    return redirectWithFlash(c, PATH, { kind: 'success', text: `${res.body.url} is saved.` });
  })
  .post('/:id/:action{enable|disable}', async (c) => {
    const action = c.req.param('action');
    const res = await c.var.api<Endpoint>('POST', `/v1/webhook-endpoints/${encodeURIComponent(c.req.param('id'))}/${action}`);
    if (!res.ok) return redirectWithFlash(c, PATH, { kind: 'error', text: res.error!.message });
    return redirectWithFlash(c, PATH, { kind: 'success', text: `${res.body.url} is ${action}d.` });
  })
  .post('/:id/confirm', async (c) => {
    const action = (await formOf(c)).action;
    if (!isAction(action)) throw new AppError('validation_failed', 'Choose rotate or delete.');
    return confirmPage(c, action, await loadEndpoint(c));
  })
  .post('/:id/do', async (c) => {
    const form = await formOf(c);
    if (!isAction(form.action)) throw new AppError('validation_failed', 'Choose rotate or delete.');
    const e = await loadEndpoint(c);
    const url = `/v1/webhook-endpoints/${encodeURIComponent(e.id)}`;
    if (form.action === 'delete') {
      const res = await c.var.api('DELETE', url);
      if (!res.ok) return redirectWithFlash(c, PATH, { kind: 'error', text: `Not done: ${res.error!.message}` });
      return redirectWithFlash(c, PATH, { kind: 'success', text: `${e.url} is deleted.` });
    }
    const grace = GRACE.some((g) => g.value === form.graceSeconds) ? Number(form.graceSeconds) : 86_400;
    const res = await c.var.api<Endpoint & { secret: string }>('POST', `${url}/rotate-secret`, { graceSeconds: grace });
    if (!res.ok) return redirectWithFlash(c, PATH, { kind: 'error', text: `Not done: ${res.error!.message}` });
    return renderPage(
      c,
      { title: 'Secret rotated', section: 'settings', sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) } },
      <SecretOnce heading="New signing secret" secret={res.body.secret} endpoint={res.body}>
        {!res.body.previousSecretValidUntil && <p>The previous secret no longer signs: deliveries from now on verify only with this one.</p>}
        <p><a href={PATH}>Back to the webhooks</a></p>
      </SecretOnce>,
    );
  });
