/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import type { emailSettingsView } from '../../services/email-settings-service.ts';
import { Badge, InputField, Notice, PostForm, when } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash } from '../flash.ts';
import { fieldErrors } from '../api-errors.ts';

type Settings = ReturnType<typeof emailSettingsView>;
type Domain = NonNullable<Settings['domain']>;
const PATH = '/admin/settings/custom-domain';

function DomainStatus(p: { domain: Domain }) {
  const d = p.domain;
  if (d.status === 'verified') return <p><Badge tone="ok">Verified</Badge> <span class="muted small">on {when(d.verifiedAt)}; emails go out From {d.fromAddress}, signed with DKIM.</span></p>;
  if (d.status === 'failed') return <p><Badge tone="bad">Not verified</Badge> <span class="muted small">last checked {when(d.checkedAt)}</span></p>;
  return <p><Badge tone="warn">Waiting for DNS</Badge> <span class="muted small">Publish the records below, then press Verify.</span></p>;
}

/** Zone-file lines; a TXT value longer than 255 characters is split into several strings, as DNS requires. */
function zoneFile(records: Domain['records']): string {
  return records
    .map((r) => {
      const chunks = r.value.match(/.{1,255}/g) ?? [''];
      return `${r.name}. 3600 IN ${r.type} ${chunks.map((s) => `"${s}"`).join(' ')}`;
    })
    .join('\n');
}

function Records(p: { domain: Domain }) {
  const records = p.domain.records;
  return (
    <section class="card" aria-labelledby="dns-heading">
      <h2 id="dns-heading">DNS records to publish</h2>
      <p class="hint">Add these at your DNS provider. A click on a name or value selects all of it for copying.</p>
      <div class="table-wrap">
        <table class="stack">
          <caption class="muted small">Records for {p.domain.domain}</caption>
          <thead>
            <tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Why</th></tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr>
                <td data-label="Type">{r.type}</td>
                <td data-label="Name" class="dns-name"><code class="copy">{r.name}</code></td>
                <td data-label="Value"><code class="copy">{r.value}</code></td>
                <td data-label="Why" class="small muted">{r.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="field spaced">
        <label for="zone">All records, zone-file format</label>
        <textarea id="zone" class="code" rows={records.length + 1} readonly wrap="off">{zoneFile(records)}</textarea>
      </div>
    </section>
  );
}

async function render(c: Context<AdminEnv>, o: { form?: Record<string, string>; error?: ApiError; verifyError?: string } = {}, status = 200) {
  const settings = (await c.var.api<Settings>('GET', '/v1/settings/email')).body;
  const d = settings.domain;
  const errors = fieldErrors(o.error ?? null);
  const csrf = c.var.session.csrf;
  return renderPage(
    c,
    {
      title: 'Custom domain',
      section: 'settings',
      sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) },
      lead: 'Send the built-in sender’s emails From your own domain, signed with your DKIM key.',
    },
    <>
      <section class="card">
        <h2>Domain and From address</h2>
        {o.error && !Object.keys(errors).length && <Notice kind="error">{o.error.message}</Notice>}
        <PostForm action={PATH} csrf={csrf} class="narrow">
          <div class="grid two">
            <InputField name="domain" label="Domain" value={o.form?.domain ?? d?.domain ?? ''} required placeholder="mail.example.com" autocomplete="off" error={errors.domain} />
            <InputField name="fromAddress" label="From address" type="email" value={o.form?.fromAddress ?? d?.fromAddress ?? ''} required placeholder="rewards@mail.example.com" error={errors.fromAddress} />
          </div>
          <p class="hint">{d ? 'Saving again creates a new DKIM key: publish the new records and verify again.' : 'Saving creates a DKIM key for the domain and lists the records to publish.'}</p>
          <div class="actions">
            <button type="submit" class={d ? 'secondary' : undefined}>Save domain</button>
          </div>
        </PostForm>
      </section>
      {d && (
        <section class="card" aria-labelledby="verify-heading">
          <h2 id="verify-heading">Verification</h2>
          {c.var.flash?.at === 'verify' && <Notice kind={c.var.flash.kind}>{c.var.flash.text}</Notice>}
          {o.verifyError && <Notice kind="error">{o.verifyError}</Notice>}
          <DomainStatus domain={d} />
          <PostForm action={`${PATH}/verify`} csrf={csrf}>
            <button type="submit">Verify</button>
          </PostForm>
        </section>
      )}
      {d && <Records domain={d} />}
    </>,
    status,
  );
}

export const customDomainPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/', async (c) => {
    const f = await formOf(c);
    const res = await c.var.api('PUT', '/v1/settings/email/domain', { domain: (f.domain ?? '').trim(), fromAddress: (f.fromAddress ?? '').trim() });
    if (!res.ok) return render(c, { form: f, error: res.error! }, res.status);
    return redirectWithFlash(c, PATH, { kind: 'success', text: 'Domain saved. Publish the DNS records below, then press Verify.' });
  })
  .post('/verify', async (c) => {
    const res = await c.var.api('POST', '/v1/settings/email/domain/verify');
    if (!res.ok) return render(c, { verifyError: res.error!.message }, res.status);
    const text = res.body.verified ? 'Verified: the DKIM record matches.' : `Not verified: ${res.body.message}`;
    return redirectWithFlash(c, `${PATH}#verify-heading`, { kind: res.body.verified ? 'success' : 'error', text, at: 'verify' });
  });
