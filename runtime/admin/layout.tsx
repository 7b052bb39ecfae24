/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { CSS } from './styles.ts';
import type { Flash } from './flash.ts';
import { CsrfField, Notice } from './components.tsx';

export type Section = 'settings' | 'programs' | 'emails' | 'participants' | 'reviews';
export type SubLink = { href: string; label: string; current: boolean };

const MAIN_NAV: { section: Section; href: string; label: string }[] = [
  { section: 'settings', href: '/admin/settings', label: 'Settings' },
  { section: 'programs', href: '/admin/programs', label: 'Programs' },
  { section: 'emails', href: '/admin/emails', label: 'Emails' },
  { section: 'participants', href: '/admin/participants', label: 'Participants' },
  { section: 'reviews', href: '/admin/reviews', label: 'Reviews' },
];

export const SETTINGS_NAV = [
  { href: '/admin/settings/integrations', label: 'Integrations' },
  { href: '/admin/settings/custom-domain', label: 'Custom domain' },
  { href: '/admin/settings/notifications', label: 'Notifications' },
  { href: '/admin/settings/credentials', label: 'Keys and secrets' },
  { href: '/admin/settings/webhooks', label: 'Webhooks' },
  { href: '/admin/settings/referral-blocks', label: 'Referral blocks' },
];

export function subNav(links: { href: string; label: string }[], currentHref: string): SubLink[] {
  return links.map((l) => ({ ...l, current: l.href === currentHref }));
}

type DocumentProps = { title: string; nonce: string; refreshSeconds?: number; children: Child };

/** The HTML shell shared by the sign-in page and the console. */
export function Document(p: DocumentProps) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          {/* No favicon request (and no 404 for it). */}
          <link rel="icon" href="data:," />
          {/* A page about work in progress (a running backtest) reloads itself: no script, nothing for the CSP to allow. */}
          {p.refreshSeconds && <meta http-equiv="refresh" content={String(p.refreshSeconds)} />}
          <title>{`${p.title} · advocate-rules console`}</title>
          <style>{raw(CSS)}</style>
        </head>
        <body>{p.children}</body>
      </html>
    </>
  );
}

export type LayoutProps = {
  title: string;
  /** The main-navigation entry this page belongs to; null for pages outside it (errors). */
  section: Section | null;
  tenantName: string;
  csrf: string;
  nonce: string;
  flash: Flash | null;
  sub?: { label: string; links: SubLink[] };
  lead?: Child;
  /** Reload the page every this many seconds (a meta refresh), while what it shows is still changing. */
  refreshSeconds?: number;
  /** Inline script for this page, allowed by the response's CSP nonce. */
  script?: string;
  children: Child;
};

export function Layout(p: LayoutProps) {
  return (
    <Document title={p.title} nonce={p.nonce} refreshSeconds={p.refreshSeconds}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <div class="top-inner">
          <div class="brand">
            advocate-rules <span>console</span>
          </div>
          <span class="tenant">
            <span class="tenant-label">Signed in as </span>
            {p.tenantName}
          </span>
          <form method="post" action="/admin/sign-out">
            <CsrfField token={p.csrf} />
            <button type="submit" class="linkish">Sign out</button>
          </form>
        </div>
      </header>
      <nav class="main" aria-label="Main">
        <ul>
          {MAIN_NAV.map((item) => (
            <li>
              <a href={item.href} aria-current={item.section === p.section ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabindex={-1}>
        {p.sub && (
          <nav class="sub" aria-label={p.sub.label}>
            <ul>
              {p.sub.links.map((l) => (
                <li>
                  <a href={l.href} aria-current={l.current ? 'page' : undefined}>
                    {l.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <h1>{p.title}</h1>
        {p.lead && <p class="lead">{p.lead}</p>}
        {p.flash && !p.flash.at && <Notice kind={p.flash.kind}>{p.flash.text}</Notice>}
        {p.children}
      </main>
      {p.script && <script nonce={p.nonce}>{raw(p.script)}</script>}
    </Document>
  );
}
