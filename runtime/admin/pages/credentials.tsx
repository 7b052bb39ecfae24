/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { listCredentials } from '../../services/credential-service.ts';
import { Notice, PostForm, when } from '../components.tsx';
import { formOf, renderPage } from '../render.tsx';
import { AppError } from '../../errors.ts';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash } from '../flash.ts';
import { hintOf } from '../../services/credential-service.ts';
import { switchSessionKey } from '../session.ts';
import { randomToken } from '../../security/hashing.ts';

type Credentials = Awaited<ReturnType<typeof listCredentials>>;
type Item = Credentials['apiKeys'][number];
type Kind = 'api-keys' | 'webhook-secrets';

const PATH = '/admin/settings/credentials';
const KINDS: Record<Kind, { title: string; one: string; list: keyof Credentials; use: string }> = {
  'api-keys': { title: 'API keys', one: 'API key', list: 'apiKeys', use: 'Your backend sends it as Authorization: Bearer <key>; the console signs in with it.' },
  'webhook-secrets': { title: 'Webhook secrets', one: 'webhook secret', list: 'webhookSecrets', use: 'Your systems sign the events they post to the webhook URL with it.' },
};

// Rotation without downtime: create the new one (both work), switch every
// client, revoke the old. A new value is shown once, on the page that created
// it, and is never put in a redirect or a cookie. "Rotate…" on the only one
// does the first step after a confirmation and offers the last: the API has
// no rotate call of its own, and needs none (two may be active at once).
async function render(c: Context<AdminEnv>, o: { created?: { kind: Kind; value: string; replaces?: Item }; error?: string; status?: number } = {}) {
  const res = await c.var.api<Credentials>('GET', '/v1/settings/credentials');
  const lists = res.body;
  const mine = hintOf(c.var.session.apiKey);
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
            <code class="break copy" id="new-credential">{o.created.value}</code>
          </p>
        </Notice>
      )}
      {o.created?.replaces && (
        <section class="card" aria-labelledby="rotate-next-heading">
          <h2 id="rotate-next-heading">Then revoke the old {KINDS[o.created.kind].one}</h2>
          <p>
            Both work now. When every client uses the new one, revoke the one starting <code>{o.created.replaces.hint}</code>
            {o.created.kind === 'api-keys' ? '; the console has switched to the new key already, so you stay signed in.' : '.'}
          </p>
          <PostForm action={`${PATH}/${o.created.kind}/${encodeURIComponent(o.created.replaces.id)}/revoke`} csrf={c.var.session.csrf}>
            <div class="actions">
              <button type="submit" class="danger">Revoke the old {KINDS[o.created.kind].one} ({o.created.replaces.hint})</button>
            </div>
          </PostForm>
        </section>
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
                    <td data-label="Starts with">
                      <code>{item.hint}</code>
                      {kind === 'api-keys' && item.hint === mine && <div class="small muted">the console is signed in with this one</div>}
                    </td>
                    <td data-label="Created" class="nowrap">{when(item.createdAt)}</td>
                    <td data-label="Action">
                      {items.length > 1 ? (
                        <PostForm action={`${PATH}/${kind}/${encodeURIComponent(item.id)}/revoke`} csrf={c.var.session.csrf}>
                          <button type="submit" class="small secondary" aria-label={`Revoke the ${k.one} starting ${item.hint}`}>Revoke</button>
                        </PostForm>
                      ) : (
                        <PostForm action={`${PATH}/${kind}/${encodeURIComponent(item.id)}/rotate`} csrf={c.var.session.csrf}>
                          <button type="submit" class="small secondary" aria-label={`Rotate the ${k.one} starting ${item.hint}…`}>Rotate…</button>
                        </PostForm>
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
  .post('/:kind/:id/rotate', async (c) => {
    const { kind, item } = await target(c);
    const k = KINDS[kind];
    const mineNote = kind === 'api-keys' && item.hint === hintOf(c.var.session.apiKey) ? ' The console is signed in with it: it switches to the new key, so you stay signed in.' : '';
    return renderPage(
      c,
      { title: 'Confirm', section: 'settings', sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) } },
      <section class="card" aria-labelledby="confirm-heading">
        <h2 id="confirm-heading">Rotate the {k.one} starting {item.hint}?</h2>
        <Notice kind="info">
          A new {k.one} is created and shown once on the next page. The old one keeps working until you revoke it, so switch your clients to the new one first, then revoke the old one there.{mineNote}
        </Notice>
        <PostForm action={`${PATH}/${kind}/${encodeURIComponent(item.id)}/rotate/do`} csrf={c.var.session.csrf}>
          <input type="hidden" name="key" value={randomToken(16)} />
          <div class="actions">
            <button type="submit">Yes, create the new {k.one}</button>
            <a href={PATH}>No, go back</a>
          </div>
        </PostForm>
      </section>,
    );
  })
  .post('/:kind/:id/rotate/do', async (c) => {
    const { kind, item } = await target(c);
    const form = await formOf(c);
    const key = /^[A-Za-z0-9_-]{1,200}$/.test(form.key ?? '') ? form.key! : crypto.randomUUID();
    const res = await c.var.api<{ apiKey?: string; webhookSecret?: string }>('POST', `/v1/settings/credentials/${kind}`, undefined, { 'idempotency-key': key });
    if (!res.ok) return render(c, { error: res.error!.message, status: res.status });
    const value = (res.body.apiKey ?? res.body.webhookSecret)!;
    if (kind === 'api-keys' && item.hint === hintOf(c.var.session.apiKey)) {
      await switchSessionKey(c, c.var.services, c.var.session, value);
      // This page already speaks for the new session (it marks the key the console is signed in with).
      c.set('session', { ...c.var.session, apiKey: value });
    }
    return render(c, { created: { kind, value, replaces: item } });
  })
  .post('/:kind/:id/revoke', async (c) => {
    const kind = c.req.param('kind');
    if (!isKind(kind)) return render(c, { error: 'There is no such kind of credential.', status: 404 });
    const own = kind === 'api-keys' && (await target(c)).item.hint === hintOf(c.var.session.apiKey);
    const res = await c.var.api('DELETE', `/v1/settings/credentials/${kind}/${encodeURIComponent(c.req.param('id'))}`);
    if (!res.ok) return render(c, { error: res.error!.message, status: res.status });
    // The key this session was signed in with is gone: the next page asks to sign in again (with the other key).
    if (own) return redirectWithFlash(c, '/admin/sign-in', { kind: 'success', text: 'The API key is revoked. The console was signed in with it: sign in with your other key.' });
    return redirectWithFlash(c, PATH, { kind: 'success', text: `The ${KINDS[kind].one} is revoked.` });
  });

/** The credential a rotate or revoke form names, as the API lists it now (404 when it does not). */
async function target(c: Context<AdminEnv>): Promise<{ kind: Kind; item: Item }> {
  const kind = c.req.param('kind') ?? '';
  if (!isKind(kind)) throw new AppError('not_found', 'There is no such kind of credential.');
  const res = await c.var.api<Credentials>('GET', '/v1/settings/credentials');
  const item = res.ok ? res.body[KINDS[kind].list].find((x) => x.id === c.req.param('id')) : undefined;
  if (!item) throw new AppError('not_found', `There is no such ${KINDS[kind].one}.`);
  return { kind, item };
}
