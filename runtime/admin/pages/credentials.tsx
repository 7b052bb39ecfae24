/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { listCredentials } from '../../services/credential-service.ts';
import { Notice, PostForm, when } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash } from '../flash.ts';

type Credentials = Awaited<ReturnType<typeof listCredentials>>;
type Kind = 'api-keys' | 'webhook-secrets';

const PATH = '/admin/settings/credentials';
const KINDS: Record<Kind, { title: string; one: string; list: keyof Credentials; use: string }> = {
  'api-keys': { title: 'API keys', one: 'API key', list: 'apiKeys', use: 'Your backend sends it as Authorization: Bearer <key>; the console signs in with it.' },
  'webhook-secrets': { title: 'Webhook secrets', one: 'webhook secret', list: 'webhookSecrets', use: 'Your systems sign the events they post to the webhook URL with it.' },
};

// Rotation without downtime: create the new one (both work), switch every
// client, revoke the old. A new value is shown once, on the page that created
// it, and is never put in a redirect or a cookie.
async function render(c: Context<AdminEnv>, o: { created?: { kind: Kind; value: string }; error?: string; status?: number } = {}) {
  const res = await c.var.api<Credentials>('GET', '/v1/settings/credentials');
  const lists = res.body;
  return renderPage(
    c,
    {
      title: 'Keys and secrets',
      section: 'settings',
      sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) },
      lead: 'Two of each may be active at once: create the new one, switch your clients to it, then revoke the old one.',
    },
    <>
      {o.error && <Notice kind="error">{o.error}</Notice>}
      {o.created && (
        <Notice kind="success">
          <p>
            Your new {KINDS[o.created.kind].one} — copy it now, it will not be shown again:
          </p>
          <p>
            <code class="break" id="new-credential">{o.created.value}</code>
          </p>
        </Notice>
      )}
      {(Object.keys(KINDS) as Kind[]).map((kind) => {
        const k = KINDS[kind];
        const items = lists?.[k.list] ?? [];
        return (
          <section class="card" aria-labelledby={`${kind}-heading`}>
            <h2 id={`${kind}-heading`}>{k.title}</h2>
            <p class="muted small">{k.use}</p>
            <table class="stack">
              <thead>
                <tr><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col"><span class="muted">Action</span></th></tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr>
                    <td data-label="Starts with"><code>{item.hint}</code></td>
                    <td data-label="Created" class="nowrap">{when(item.createdAt)}</td>
                    <td data-label="Action">
                      {items.length > 1 ? (
                        <PostForm action={`${PATH}/${kind}/${encodeURIComponent(item.id)}/revoke`} csrf={c.var.session.csrf}>
                          <button type="submit" class="small secondary" aria-label={`Revoke the ${k.one} starting ${item.hint}`}>Revoke</button>
                        </PostForm>
                      ) : (
                        <span class="muted small">the only one</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {items.length < 2 && (
              <PostForm action={`${PATH}/${kind}`} csrf={c.var.session.csrf}>
                <div class="actions">
                  <button type="submit">Create a new {k.one}</button>
                </div>
              </PostForm>
            )}
          </section>
        );
      })}
    </>,
    o.status ?? (res.ok ? 200 : res.status),
  );
}

const isKind = (value: string): value is Kind => value === 'api-keys' || value === 'webhook-secrets';

export const credentialsPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/:kind', async (c) => {
    const kind = c.req.param('kind');
    if (!isKind(kind)) return render(c, { error: 'There is no such kind of credential.', status: 404 });
    const res = await c.var.api<{ apiKey?: string; webhookSecret?: string }>('POST', `/v1/settings/credentials/${kind}`);
    if (!res.ok) return render(c, { error: res.error!.message, status: res.status });
    return render(c, { created: { kind, value: (res.body.apiKey ?? res.body.webhookSecret)! } });
  })
  .post('/:kind/:id/revoke', async (c) => {
    const kind = c.req.param('kind');
    if (!isKind(kind)) return render(c, { error: 'There is no such kind of credential.', status: 404 });
    const res = await c.var.api('DELETE', `/v1/settings/credentials/${kind}/${encodeURIComponent(c.req.param('id'))}`);
    if (!res.ok) return render(c, { error: res.error!.message, status: res.status });
    return redirectWithFlash(c, PATH, { kind: 'success', text: `The ${KINDS[kind].one} is revoked.` });
  });
