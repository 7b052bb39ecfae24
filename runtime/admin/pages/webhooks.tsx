/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { webhookEndpointView } from '../../services/webhook-views.ts';
import { Badge, Notice, PostForm, when } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash } from '../flash.ts';

// The tenant's webhook endpoints as the dispatcher sees them. The point of
// the page is the one thing a tenant cannot see from its receiver's side: an
// endpoint we disabled because its deliveries failed for days, and the way
// back (fix the receiver, enable it; what waited is then delivered).

const PATH = '/admin/settings/webhooks';
type Endpoint = ReturnType<typeof webhookEndpointView>;

function Status(p: { e: Endpoint }) {
  if (p.e.status === 'enabled') return p.e.failingSince ? <Badge tone="warn">failing since {when(p.e.failingSince)}</Badge> : <Badge tone="ok">enabled</Badge>;
  return <Badge tone={p.e.disabledReason === 'failing' ? 'bad' : 'neutral'}>{p.e.disabledReason === 'failing' ? 'disabled: failing' : 'disabled'}</Badge>;
}

async function render(c: Context<AdminEnv>) {
  const endpoints = (await c.var.api<{ endpoints: Endpoint[] }>('GET', '/v1/webhook-endpoints')).body.endpoints;
  const failing = endpoints.filter((e) => e.status === 'disabled' && e.disabledReason === 'failing');
  return renderPage(
    c,
    {
      title: 'Webhooks',
      section: 'settings',
      sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) },
      lead: 'Where rewards, events and emails are announced, signed per Standard Webhooks. Endpoints are added with the API (POST /v1/webhook-endpoints).',
    },
    <section class="card" aria-labelledby="endpoints-heading">
      <h2 id="endpoints-heading">Endpoints</h2>
      {failing.map((e) => (
        <Notice kind="error">
          {e.url} was disabled on {when(e.updatedAt)}: its deliveries failed without a success since {when(e.failingSince)}. Fix the receiver, then enable it; the deliveries that waited go out then.
        </Notice>
      ))}
      {endpoints.length === 0 ? (
        <p class="muted">No endpoints yet.</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col"><span class="muted">Action</span></th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr>
                <td data-label="URL" class="break"><code>{e.url}</code>{e.description && <div class="small muted">{e.description}</div>}</td>
                <td data-label="Events" class="small">{e.events.join(', ')}</td>
                <td data-label="Status"><Status e={e} /></td>
                <td data-label="Action">
                  <PostForm action={`${PATH}/${encodeURIComponent(e.id)}/${e.status === 'enabled' ? 'disable' : 'enable'}`} csrf={c.var.session.csrf}>
                    <button type="submit" class="small secondary" aria-label={`${e.status === 'enabled' ? 'Disable' : 'Enable'} ${e.url}`}>{e.status === 'enabled' ? 'Disable' : 'Enable'}</button>
                  </PostForm>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>,
  );
}

export const webhooksPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/:id/:action{enable|disable}', async (c) => {
    const action = c.req.param('action');
    const res = await c.var.api<Endpoint>('POST', `/v1/webhook-endpoints/${encodeURIComponent(c.req.param('id'))}/${action}`);
    if (!res.ok) return redirectWithFlash(c, PATH, { kind: 'error', text: res.error!.message });
    return redirectWithFlash(c, PATH, { kind: 'success', text: `${res.body.url} is ${action}d.` });
  });
