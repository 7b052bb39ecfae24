/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { ProgramOverview, AttentionItem } from '../../services/program-overview-service.ts';
import { AppError } from '../../errors.ts';
import { Badge } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { programBase, programSub } from '../program-context.ts';
import { CategoryBars, ChartTable, DayBars, Legend } from '../charts.tsx';
import { formatMoney } from '../../../plugins/rewards/money.ts';

// Programs → a program → Overview: the numbers a program manager looks at
// first (what came in, what it paid, what it sent) and what to fix, each
// with the way to the page where it is fixed.

const EMAIL_SERIES = [
  { key: 'sent', name: 'Sent', color: '#3451b2' },
  { key: 'failed', name: 'Failed', color: '#b3261e' },
  { key: 'suppressed', name: 'Suppressed', color: '#8a96a3' },
] as const;

const REWARD_COLORS: Record<string, string> = { pending: '#c28a00', available: '#1b7a43', redeemed: '#3451b2', cancelled: '#8a96a3', expired: '#6b4e9b' };

const ATTENTION_LINK: Record<AttentionItem['code'], (base: string) => { href: string; label: string }> = {
  smtp_failing: () => ({ href: '/admin/settings/integrations#smtp', label: 'Fix the mail server' }),
  domain_unverified: () => ({ href: '/admin/settings/custom-domain', label: 'Verify the domain' }),
  webhook_disabled: () => ({ href: '/admin/settings/webhooks', label: 'See the webhooks' }),
  webhook_failing: () => ({ href: '/admin/settings/webhooks', label: 'See the webhooks' }),
  emails_failed: () => ({ href: '/admin/emails?status=failed', label: 'Show the failed emails' }),
  no_rules: (base) => ({ href: `${base}/rules`, label: 'Write the rules' }),
};

const money = (value: { currency: string; amountMinor: number }[]) => value.filter((v) => v.amountMinor !== 0).map((v) => formatMoney(v.amountMinor, v.currency)).join(' + ');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function Attention(p: { items: AttentionItem[]; base: string }) {
  return (
    <section class="card" aria-labelledby="attention-heading">
      <h2 id="attention-heading">Needs attention</h2>
      {p.items.length === 0 ? (
        <p><Badge tone="ok">All clear</Badge> <span class="muted">Mail server, custom domain and webhooks are working; no email failed.</span></p>
      ) : (
        <ul class="attention">
          {p.items.map((item) => {
            const link = ATTENTION_LINK[item.code](p.base);
            return (
              <li data-code={item.code}>
                {item.message} <a href={link.href}>{link.label}</a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function KeyNumbers(p: { o: ProgramOverview }) {
  const reviews = `/admin/reviews?programId=${encodeURIComponent(p.o.programId)}`;
  const rewards = p.o.rewards.reduce((n, r) => n + r.count, 0);
  const outbox = p.o.outbox.queued + p.o.outbox.sending;
  const figures = [
    { label: 'Events', value: p.o.events.total, note: 'last 30 days' },
    { label: 'Rewards', value: rewards, note: 'last 30 days' },
    { label: 'Pending reviews', value: p.o.pendingReviews, note: 'rewards held for a review', href: reviews },
    { label: 'Emails sent', value: p.o.emails.totals.sent, note: `${p.o.emails.totals.failed} failed, ${p.o.emails.totals.suppressed} suppressed` },
    { label: 'Outbox', value: outbox, note: `${p.o.outbox.queued} queued, ${p.o.outbox.sending} sending` },
  ] as { label: string; value: number; note: string; href?: string }[];
  return (
    <section class="card" aria-labelledby="numbers-heading">
      <h2 id="numbers-heading">At a glance</h2>
      <dl class="figures">
        {figures.map((f) => (
          <div>
            <dt>{f.label}</dt>
            <dd>
              {f.href ? <a class="figure" href={f.href} aria-label={`${f.value} pending reviews: open the review queue`}>{f.value}</a> : <span class="figure">{f.value}</span>}
              <span class="muted small">{f.note}</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function EventsChart(p: { o: ProgramOverview }) {
  const busiest = Math.max(0, ...p.o.events.perDay);
  return (
    <section class="card" aria-labelledby="events-heading">
      <h2 id="events-heading">Events per day</h2>
      <DayBars
        id="events-chart"
        title={`Events per day, ${p.o.days[0]} to ${p.o.days.at(-1)}`}
        desc={`${p.o.events.total} events in 30 days; the busiest day had ${busiest}.`}
        days={p.o.days}
        series={[{ name: 'Events', color: '#3451b2', values: p.o.events.perDay }]}
        unit="events"
      />
      <ChartTable summary="Events per day as a table" caption="Events per day (UTC)" head={['Day', 'Events']} rows={p.o.days.map((d, i) => [d, p.o.events.perDay[i] ?? 0])} />
    </section>
  );
}

function EmailsChart(p: { o: ProgramOverview }) {
  const t = p.o.emails.totals;
  return (
    <section class="card" aria-labelledby="emails-heading">
      <h2 id="emails-heading">Emails per day</h2>
      <Legend series={EMAIL_SERIES.map((s) => ({ name: s.name, color: s.color }))} />
      <DayBars
        id="emails-chart"
        title={`Emails per day by outcome, ${p.o.days[0]} to ${p.o.days.at(-1)}`}
        desc={`In 30 days: ${t.sent} sent, ${t.failed} failed, ${t.suppressed} suppressed. Bars stack sent, failed and suppressed.`}
        days={p.o.days}
        series={EMAIL_SERIES.map((s) => ({ name: s.key, color: s.color, values: p.o.emails.perDay.map((d) => d[s.key]) }))}
        unit="emails"
      />
      <ChartTable
        summary="Emails per day as a table"
        caption="Emails per day by outcome (UTC)"
        head={['Day', 'Sent', 'Failed', 'Suppressed']}
        rows={p.o.emails.perDay.map((d) => [d.day, d.sent, d.failed, d.suppressed])}
      />
    </section>
  );
}

function RewardsChart(p: { o: ProgramOverview }) {
  const rows = p.o.rewards.map((r) => ({ label: cap(r.status), value: r.count, color: REWARD_COLORS[r.status] ?? '#3451b2', note: money(r.value) || undefined }));
  return (
    <section class="card" aria-labelledby="rewards-heading">
      <h2 id="rewards-heading">Rewards by status</h2>
      <CategoryBars
        id="rewards-chart"
        title="Rewards of the last 30 days by status"
        desc={rows.map((r) => `${r.label}: ${r.value}${r.note ? ` worth ${r.note}` : ''}`).join('; ') + '.'}
        rows={rows}
      />
      <ChartTable
        summary="Rewards by status as a table"
        caption="Rewards of the last 30 days by status"
        head={['Status', 'Rewards', 'Value']}
        rows={p.o.rewards.map((r) => [cap(r.status), r.count, money(r.value) || '—'])}
      />
    </section>
  );
}

async function render(c: Context<AdminEnv>) {
  const id = c.req.param('programId') ?? '';
  const res = await c.var.api<ProgramOverview>('GET', `/v1/programs/${encodeURIComponent(id)}/overview`);
  if (res.status === 404) throw new AppError('not_found', 'There is no such program.');
  if (!res.ok) throw new AppError('internal', res.error!.message);
  const o = res.body;
  const base = programBase({ id: o.programId });
  return renderPage(
    c,
    {
      title: `Overview of ${o.name}`,
      section: 'programs',
      sub: programSub({ id: o.programId, name: o.name }, 'overview'),
      lead: `The last 30 days, ${o.days[0]} to ${o.days.at(-1)} (UTC).`,
    },
    <>
      <Attention items={o.attention} base={base} />
      <KeyNumbers o={o} />
      <div class="chart-grid">
        <EventsChart o={o} />
        <EmailsChart o={o} />
        <RewardsChart o={o} />
      </div>
    </>,
  );
}

export const overviewPage = new Hono<AdminEnv>().get('/', (c) => render(c));
