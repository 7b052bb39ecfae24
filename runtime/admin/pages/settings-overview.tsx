/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { emailSettingsView } from '../../services/email-settings-service.ts';
import { Badge } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { SETTINGS_NAV, subNav } from '../layout.tsx';

type Settings = ReturnType<typeof emailSettingsView>;

// The landing page: where each setting stands, one card each. The card links
// are worded apart from the tabs so each link's name is unique on the page.
export const settingsOverviewPage = new Hono<AdminEnv>().get('/', async (c) => {
  const [s, blocks] = await Promise.all([
    c.var.api<Settings>('GET', '/v1/settings/email').then((r) => r.body),
    c.var.api<{ blocks: unknown[] }>('GET', '/v1/referral-blocks').then((r) => r.body?.blocks?.length ?? 0),
  ]);
  const on = Object.values(s.notifications).filter(Boolean).length;
  const total = Object.keys(s.notifications).length;
  return renderPage(
    c,
    { title: 'Settings', section: 'settings', sub: { label: 'Settings', links: subNav(SETTINGS_NAV, '') } },
    <div class="cards">
      <section class="card" aria-labelledby="c-mail">
        <h2 id="c-mail">Mail server</h2>
        <p>
          {s.mode === 'smtp' ? (
            <><Badge tone={s.smtp?.status === 'connected' ? 'ok' : 'bad'}>{s.smtp?.status === 'connected' ? 'Connected' : 'Needs attention'}</Badge> Your SMTP server {s.smtp?.host}</>
          ) : (
            <><Badge tone="neutral">Built-in</Badge> The built-in sender</>
          )}
        </p>
        <a href="/admin/settings/integrations#smtp">Change the mail server</a>
      </section>
      <section class="card" aria-labelledby="c-domain">
        <h2 id="c-domain">Sending domain</h2>
        <p>
          {s.domain ? (
            <><Badge tone={s.domain.status === 'verified' ? 'ok' : s.domain.status === 'failed' ? 'bad' : 'warn'}>{s.domain.status === 'verified' ? 'Verified' : s.domain.status === 'failed' ? 'Not verified' : 'Waiting for DNS'}</Badge> {s.domain.domain}</>
          ) : (
            'None: the operator’s address is used.'
          )}
        </p>
        <a href="/admin/settings/custom-domain">Set up a sending domain</a>
      </section>
      <section class="card" aria-labelledby="c-types">
        <h2 id="c-types">Email types</h2>
        <p>{on === total ? 'Every email type is on.' : `${on} of ${total} email types are on.`}</p>
        <a href="/admin/settings/notifications">Choose which emails go out</a>
      </section>
      <section class="card" aria-labelledby="c-blocks">
        <h2 id="c-blocks">Referral blocks</h2>
        <p>{blocks === 0 ? 'No address or domain is blocked.' : `${blocks} blocked ${blocks === 1 ? 'address or domain' : 'addresses and domains'}, for every program’s “Blocked address” check.`}</p>
        <a href="/admin/settings/referral-blocks">Edit the block list</a>
      </section>
    </div>,
  );
});
