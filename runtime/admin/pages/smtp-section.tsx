/** @jsxImportSource hono/jsx */
import type { ApiError } from '../admin-env.ts';
import type { emailSettingsView } from '../../services/email-settings-service.ts';
import { Badge, CheckField, InputField, Notice, PostForm, SelectField, when } from '../components.tsx';
import type { Flash } from '../flash.ts';
import { fieldErrors, reasonOf } from '../api-errors.ts';

// Settings → Integrations → Custom SMTP mail server: the Connect form, its
// outcome, the test send, and the way back to the built-in sender.

type Settings = ReturnType<typeof emailSettingsView>;
export const INTEGRATIONS_PATH = '/admin/settings/integrations';
const PATH = INTEGRATIONS_PATH;

/** What a failed post puts back on the page: the entered values (never a password) and the API's answer. */
export type Outcome = { smtpForm?: Record<string, string>; smtpError?: ApiError; testTo?: string; testError?: ApiError; replyTo?: string; replyToError?: ApiError };

/** GET /v1/settings/email/smtp/sender-check: the From in use and its SPF/DMARC findings. */
export type SenderCheck = { from: string; fromSource: 'fromAddress' | 'username' | 'operator'; spf: string; dmarc: string; warnings: { code: string; message: string }[] };

// The same three words the API's messages use (none, tls, ssl underneath).
const SECURITY = [
  { value: 'none', label: 'None' },
  { value: 'tls', label: 'STARTTLS' },
  { value: 'ssl', label: 'SSL/TLS' },
];

/** The fields of the Connect form: an API problem at one of these is shown there and nowhere else. */
const FORM_FIELDS = new Set(['host', 'port', 'security', 'testFromAddress', 'username', 'password', 'allowPlaintextAuth']);

/**
 * Suggests the usual port when Security changes (587 for STARTTLS unless 25
 * or 2525 is already chosen, 465 for SSL/TLS), and says so in the port's
 * live hint; a link to #smtp (Settings → "Change the mail server") opens the
 * folded section. Served inline under the page's CSP nonce; the form works without it.
 */
export const PORT_SCRIPT = `(() => {
  const section = document.getElementById('smtp');
  if (section && location.hash === '#smtp') section.open = true;
  const security = document.getElementById('f-security');
  const port = document.getElementById('f-port');
  const note = document.getElementById('port-note');
  if (!security || !port || !note) return;
  security.addEventListener('change', () => {
    const usual = security.value === 'ssl' ? ['465'] : security.value === 'tls' ? ['587', '25', '2525'] : null;
    if (!usual || usual.includes(port.value.trim())) return;
    port.value = usual[0];
    note.textContent = 'Port set to ' + usual[0] + ', the usual port for ' + (security.value === 'ssl' ? 'SSL/TLS' : 'STARTTLS') + '.';
  });
})();`;
function SmtpStatus(p: { smtp: NonNullable<Settings['smtp']> }) {
  const { smtp } = p;
  if (smtp.status === 'connected') return <p><Badge tone="ok">Connected</Badge> <span class="muted small">{smtp.host}:{smtp.port} since {when(smtp.connectedAt)}</span></p>;
  if (smtp.status === 'needs_attention') {
    return (
      <Notice kind="error">
        Needs attention: the server stopped accepting the login. <p>{smtp.lastError}</p>
      </Notice>
    );
  }
  return <p><Badge tone="neutral">Not connected</Badge></p>;
}

export function FlashAt(p: { flash: Flash | null; at: string }) {
  return p.flash?.at === p.at ? <Notice kind={p.flash.kind}>{p.flash.text}</Notice> : null;
}

/** The one place a failed Connect is told: at the field it concerns, or (no such field) above the form. */
function connectProblems(error: ApiError | undefined): { fields: Record<string, string>; banner: string | null } {
  if (!error) return { fields: {}, banner: null };
  const reason = reasonOf(error);
  const fields: Record<string, string> = {};
  for (const [field, message] of Object.entries(fieldErrors(error))) {
    if (FORM_FIELDS.has(field)) fields[field] = reason ? `${message} (${reason})` : message;
  }
  return { fields, banner: Object.keys(fields).length ? null : `Not connected: ${error.message}${reason ? ` (${reason})` : ''}` };
}

const SOURCE: Record<SenderCheck['fromSource'], string> = {
  fromAddress: 'the From address above',
  username: 'the username, as no From address is set',
  operator: 'the operator’s default, as no From address is set',
};

function FromInUse(p: { check: SenderCheck }) {
  return (
    <section aria-labelledby="from-heading" class="subsection">
      <h3 id="from-heading">From address in use</h3>
      <p>
        Every email through this server goes out From <strong class="break">{p.check.from}</strong> <span class="muted small">({SOURCE[p.check.fromSource]})</span>.
        {p.check.warnings.length === 0 && <> <Badge tone="ok">SPF and DMARC in place</Badge></>}
      </p>
      {p.check.warnings.length > 0 && (
        <div class="notice warn" role="status">
          {p.check.warnings.length === 1 ? 'Receivers may refuse or file as spam the mail from this address:' : 'Receivers may refuse or file as spam the mail from this address, for these reasons:'}
          <ul class="problems">
            {p.check.warnings.map((w) => <li data-code={w.code}>{w.message}</li>)}
          </ul>
        </div>
      )}
    </section>
  );
}

export function SmtpSection(p: { settings: Settings; o: Outcome; csrf: string; flash: Flash | null; check: SenderCheck | null }) {
  const smtp = p.settings.smtp;
  const form = p.o.smtpForm;
  const problems = connectProblems(p.o.smtpError);
  const errors = problems.fields;
  const value = (name: string, stored: string | number | null | undefined) => (form ? form[name] : (stored ?? ''));
  const connected = smtp?.status === 'connected' || smtp?.status === 'needs_attention';
  // Open whenever there is something to do or to read: not connected yet, an outcome, a problem or a warning.
  const open = !connected || smtp?.status === 'needs_attention' || !!form || p.o.testError !== undefined || !!p.flash?.at?.startsWith('smtp') || (p.check?.warnings.length ?? 0) > 0;
  return (
    <details class="card" id="smtp" open={open}>
      {/* Folded, the summary carries the status the section would show. */}
      <summary>Custom SMTP mail server{!open && smtp?.status === 'connected' && <> <Badge tone="ok">Connected</Badge></>}</summary>
      <div class="narrow">
        <p class="hint">Send this tenant's emails through your own mail server. Connect opens a real session (greeting, encryption, login) and saves the settings only when it works.</p>
        {smtp && <SmtpStatus smtp={smtp} />}
        <FlashAt flash={p.flash} at="smtp" />
        {problems.banner && <Notice kind="error">{problems.banner}</Notice>}
        <PostForm action={`${PATH}/smtp#smtp`} csrf={p.csrf}>
          <div class="grid two">
            <InputField name="host" label="Host" class="wide" value={value('host', smtp?.host)} required autocomplete="off" placeholder="smtp.example.com" error={errors.host} />
            <SelectField
              name="security"
              label="Security"
              options={SECURITY}
              value={String(value('security', smtp?.security ?? 'tls'))}
              error={errors.security}
              hint="STARTTLS: starts plain and upgrades, usually port 587. SSL/TLS: encrypted from the first byte, usually port 465. None: unencrypted."
            />
            <InputField
              name="port"
              label="Port"
              type="number"
              inputmode="numeric"
              min={1}
              max={65535}
              value={value('port', smtp?.port ?? 587)}
              required
              error={errors.port}
              hint={<span id="port-note" aria-live="polite">Changing Security suggests its usual port.</span>}
            />
            <InputField
              name="testFromAddress"
              label="From address of every email"
              optional
              type="email"
              class="wide"
              value={value('testFromAddress', smtp?.testFromAddress)}
              error={errors.testFromAddress}
              hint="Every email sent through this server carries this From (the test email too). Use an address of a domain whose SPF record lists this server. Left empty, the username is used if it is an address."
            />
            <InputField name="username" label="Username" optional value={value('username', smtp?.username)} autocomplete="off" error={errors.username} />
            <InputField
              name="password"
              label="Password"
              optional
              type="password"
              autocomplete="new-password"
              error={errors.password}
              hint={smtp?.passwordSet ? 'A password is saved. Leave this empty to keep it.' : undefined}
            />
          </div>
          <CheckField
            name="allowPlaintextAuth"
            label="Allow an unencrypted login"
            checked={form ? form.allowPlaintextAuth === 'on' : !!smtp?.allowPlaintextAuth}
            hint="Only for a server on a trusted network; needed when Security is None and a username is set."
            error={errors.allowPlaintextAuth}
          />
          <div class="actions">
            <button type="submit">Connect</button>
          </div>
        </PostForm>
        {connected && p.check && <FromInUse check={p.check} />}
        {connected && (
          <section aria-labelledby="test-heading" class="subsection">
            <h3 id="test-heading">Send test email</h3>
            <FlashAt flash={p.flash} at="smtp-test" />
            {p.o.testError && !fieldErrors(p.o.testError).to && <Notice kind="error">{p.o.testError.message}</Notice>}
            <PostForm action={`${PATH}/smtp/test#test-heading`} csrf={p.csrf}>
              <InputField name="to" label="Send to" type="email" required value={p.o.testTo ?? ''} error={fieldErrors(p.o.testError ?? null).to} autocomplete="email" />
              <div class="actions">
                <button type="submit">Send test email</button>
              </div>
            </PostForm>
          </section>
        )}
        {smtp && (
          <section aria-labelledby="builtin-heading" class="subsection">
            <h3 id="builtin-heading">Back to the built-in sender</h3>
            <p class="hint">Forget this server (and its saved password) and send through the built-in sender again.</p>
            <PostForm action={`${PATH}/smtp/disconnect`} csrf={p.csrf}>
              <div class="actions">
                <button type="submit" class="danger">Use the built-in sender</button>
              </div>
            </PostForm>
          </section>
        )}
      </div>
    </details>
  );
}
