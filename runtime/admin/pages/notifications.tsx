/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { NotificationSwitch, NotificationSwitches } from '../../../plugins/mail/notification-switches.ts';
import { CheckField, Notice, PostForm } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';
import { redirectWithFlash } from '../flash.ts';

const PATH = '/admin/settings/notifications';

/** One line per email type: what it is and when it goes out. */
const TYPES: { name: NotificationSwitch; label: string; description: string }[] = [
  { name: 'emailAction', label: 'Email action', description: 'The emails your rules send with an email action, such as a thank-you after a purchase.' },
  { name: 'reward', label: 'Reward', description: 'Tells a participant they earned a reward and how much.' },
  { name: 'verification', label: 'Verification', description: 'Asks a participant to confirm their email address with a link.' },
  { name: 'passwordReset', label: 'Password reset', description: 'Sends a one-time link to choose a new password.' },
  { name: 'w9Notice', label: 'W-9 notice', description: 'Asks for a W-9 once a participant’s cash rewards in a year pass the threshold.' },
  { name: 'payoutReminder', label: 'Payout reminder', description: 'Reminds a participant with held rewards to complete their payout details.' },
  { name: 'rewardPending', label: 'Reward on its way', description: 'Tells a participant a reward held for a period (holdDays) is coming, and when.' },
];

async function render(c: Context<AdminEnv>, status = 200, error?: string) {
  const switches = (await c.var.api<{ notifications: NotificationSwitches }>('GET', '/v1/settings/email')).body.notifications;
  return renderPage(
    c,
    {
      title: 'Notifications',
      section: 'settings',
      sub: { label: 'Settings', links: subNav(SETTINGS_NAV, PATH) },
      lead: 'Choose which emails go out. A type that is off is never queued; the rest of the program works as before.',
    },
    <section class="card" aria-labelledby="types-heading">
      <h2 id="types-heading">Email types</h2>
      {error && <Notice kind="error">{error}</Notice>}
      <PostForm action={PATH} csrf={c.var.session.csrf} class="narrow">
        {TYPES.map((t) => (
          <CheckField name={t.name} label={t.label} checked={switches[t.name]} hint={t.description} role="switch" />
        ))}
        <div class="actions">
          <button type="submit">Save notifications</button>
        </div>
      </PostForm>
    </section>,
    status,
  );
}

export const notificationsPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/', async (c) => {
    const f = await formOf(c);
    // An unticked checkbox sends nothing, so every switch is stated explicitly.
    const body = Object.fromEntries(TYPES.map((t) => [t.name, f[t.name] === 'on']));
    const res = await c.var.api('PUT', '/v1/settings/email/notifications', body);
    if (!res.ok) return render(c, res.status, res.error!.message);
    const off = TYPES.filter((t) => !body[t.name]).map((t) => t.label);
    return redirectWithFlash(c, PATH, { kind: 'success', text: off.length ? `Saved. Off: ${off.join(', ')}.` : 'Saved. Every email type is on.' });
  });
