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

const SECURITY = [
  { value: 'none', label: 'None' },
  { value: 'tls', label: 'TLS' },
  { value: 'ssl', label: 'SSL' },
];

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

function ConnectFailure(p: { error: ApiError }) {
  const reason = reasonOf(p.error);
  return (
    <Notice kind="error">
      Not connected: {p.error.message}
      {reason && <p class="small">Reason: <code>{reason}</code></p>}
    </Notice>
  );
}

export function SmtpSection(p: { settings: Settings; o: Outcome; csrf: string; flash: Flash | null }) {
  const smtp = p.settings.smtp;
  const form = p.o.smtpForm;
  const errors = fieldErrors(p.o.smtpError ?? null);
  const value = (name: string, stored: string | number | null | undefined) => (form ? form[name] : (stored ?? ''));
  const connected = smtp?.status === 'connected' || smtp?.status === 'needs_attention';
  const open = !!smtp || !!form || p.o.testError !== undefined || p.flash?.at?.startsWith('smtp');
  return (
    <details class="card" id="smtp" open={open}>
      <summary>Custom SMTP mail server</summary>
      <div class="narrow">
        <p class="hint">Send this tenant's emails through your own mail server. Connect opens a real session (greeting, encryption, login) and saves the settings only when it works.</p>
        {smtp && <SmtpStatus smtp={smtp} />}
        <FlashAt flash={p.flash} at="smtp" />
        {p.o.smtpError && <ConnectFailure error={p.o.smtpError} />}
        <PostForm action={`${PATH}/smtp`} csrf={p.csrf}>
          <div class="grid two">
            <InputField name="host" label="Host" class="wide" value={value('host', smtp?.host)} required autocomplete="off" placeholder="smtp.example.com" error={errors.host} />
            <InputField name="port" label="Port" type="number" inputmode="numeric" min={1} max={65535} value={value('port', smtp?.port ?? 587)} required error={errors.port} />
            <SelectField
              name="security"
              label="Security"
              options={SECURITY}
              value={String(value('security', smtp?.security ?? 'tls'))}
              error={errors.security}
              hint="TLS: STARTTLS, usually port 587. SSL: encrypted from the first byte, usually port 465. None: unencrypted."
            />
            <InputField
              name="testFromAddress"
              label="Test connection From address"
              optional
              type="email"
              class="wide"
              value={value('testFromAddress', smtp?.testFromAddress)}
              error={errors.testFromAddress}
              hint="The From address of the test email and of the program's emails. Without it, the username (if it is an address) is used."
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
            checked={form ? form.allowPlaintextAuth === 'on' : false}
            hint="Only for a server on a trusted network; needed when Security is None and a username is set."
          />
          <div class="actions">
            <button type="submit">Connect</button>
          </div>
        </PostForm>
        {connected && (
          <section aria-labelledby="test-heading" class="subsection">
            <h3 id="test-heading">Send test email</h3>
            <FlashAt flash={p.flash} at="smtp-test" />
            {p.o.testError && <Notice kind="error">{p.o.testError.message}</Notice>}
            <PostForm action={`${PATH}/smtp/test`} csrf={p.csrf}>
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
