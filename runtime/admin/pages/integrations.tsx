/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { emailSettingsView } from '../../services/email-settings-service.ts';
import { InputField, PostForm } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash, type Flash } from '../flash.ts';
import { fieldErrors } from '../api-errors.ts';
import { FlashAt, INTEGRATIONS_PATH, PORT_SCRIPT, SmtpSection, type Outcome, type SenderCheck } from './smtp-section.tsx';

type Settings = ReturnType<typeof emailSettingsView>;
const PATH = INTEGRATIONS_PATH;

function ReplyToSection(p: { settings: Settings; o: Outcome; csrf: string; flash: Flash | null }) {
  return (
    <section class="card" aria-labelledby="replyto-heading">
      <h2 id="replyto-heading">Replies to the built-in sender</h2>
      <FlashAt flash={p.flash} at="reply-to" />
      <PostForm action={`${PATH}/reply-to`} csrf={p.csrf} class="narrow">
        <InputField
          name="replyTo"
          label="Reply-To address"
          optional
          type="email"
          value={p.o.replyTo ?? p.settings.replyTo ?? ''}
          error={p.o.replyToError ? (fieldErrors(p.o.replyToError).replyTo ?? p.o.replyToError.message) : undefined}
          hint="Where participants' replies go when the built-in sender carries the mail."
        />
        <div class="actions">
          <button type="submit" class="secondary">Save Reply-To</button>
        </div>
      </PostForm>
    </section>
  );
}

async function render(c: Context<AdminEnv>, o: Outcome = {}, status = 200) {
  const settings = (await c.var.api<Settings>('GET', '/v1/settings/email')).body;
  const usingSmtp = settings.mode === 'smtp';
  // Looked up in DNS on each visit while a server is connected: a record fixed a minute ago shows as fixed.
  const check = usingSmtp ? await c.var.api<SenderCheck>('GET', '/v1/settings/email/smtp/sender-check') : null;
  return renderPage(
    c,
    { title: 'Integrations', section: 'settings', sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) }, script: PORT_SCRIPT },
    <>
      <section class="card" aria-labelledby="sender-heading">
        <h2 id="sender-heading">Sender in use</h2>
        <p>
          {usingSmtp ? (
            <>Your SMTP server <strong>{settings.smtp?.host}:{settings.smtp?.port}</strong> carries every email of this tenant{check?.ok ? <>, From <strong class="break">{check.body.from}</strong></> : ''}.</>
          ) : (
            <>The <strong>built-in sender</strong> carries this tenant's emails{settings.domain?.status === 'verified' ? ` from ${settings.domain.fromAddress}` : ''}.</>
          )}
        </p>
      </section>
      <SmtpSection settings={settings} o={o} csrf={c.var.session.csrf} flash={c.var.flash} check={check?.ok ? check.body : null} />
      {/* Reply-To is the built-in sender's: the tenant's own server sends From the tenant's own address. */}
      {!usingSmtp && <ReplyToSection settings={settings} o={o} csrf={c.var.session.csrf} flash={c.var.flash} />}
    </>,
    status,
  );
}

const optional = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : undefined);

export const integrationsPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/smtp', async (c) => {
    const f = await formOf(c);
    const port = (f.port ?? '').trim();
    const res = await c.var.api<Settings>('PUT', '/v1/settings/email/smtp', {
      host: (f.host ?? '').trim(),
      port: /^\d{1,5}$/.test(port) ? Number(port) : port,
      security: f.security,
      username: optional(f.username),
      // Empty means "keep the saved one"; a password is never echoed back into the form.
      password: f.password ? f.password : undefined,
      testFromAddress: optional(f.testFromAddress),
      allowPlaintextAuth: f.allowPlaintextAuth === 'on' ? true : undefined,
    });
    if (res.ok) return redirectWithFlash(c, `${PATH}#smtp`, { kind: 'success', text: `Connected to ${res.body.smtp?.host}:${res.body.smtp?.port}.`, at: 'smtp' });
    const { password: _never, ...kept } = f;
    return render(c, { smtpForm: kept, smtpError: res.error! }, res.status);
  })
  .post('/smtp/test', async (c) => {
    const to = ((await formOf(c)).to ?? '').trim();
    const res = await c.var.api<{ from: string; response: string }>('POST', '/v1/settings/email/smtp/test', { to });
    if (!res.ok) return render(c, { testTo: to, testError: res.error! }, res.status);
    return redirectWithFlash(c, `${PATH}#test-heading`, { kind: 'success', text: `Test email sent to ${to} From ${res.body.from}. The server answered: ${res.body.response}`, at: 'smtp-test' });
  })
  .post('/smtp/disconnect', async (c) => {
    const res = await c.var.api('DELETE', '/v1/settings/email/smtp');
    if (!res.ok) return render(c, {}, res.status);
    return redirectWithFlash(c, PATH, { kind: 'success', text: 'The built-in sender carries this tenant’s emails again.' });
  })
  .post('/reply-to', async (c) => {
    const replyTo = ((await formOf(c)).replyTo ?? '').trim();
    const res = await c.var.api('PUT', '/v1/settings/email/reply-to', { replyTo: replyTo === '' ? null : replyTo });
    if (!res.ok) return render(c, { replyTo, replyToError: res.error! }, res.status);
    return redirectWithFlash(c, `${PATH}#replyto-heading`, { kind: 'success', text: replyTo ? `Replies go to ${replyTo}.` : 'Reply-To removed.', at: 'reply-to' });
  });
