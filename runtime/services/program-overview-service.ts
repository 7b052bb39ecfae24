import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { findProgram } from '../store/program-queries.ts';
import { attentionFacts, emailsPerDay, eventsPerDay, pendingReviewCount, programOutbox, rewardsByStatus } from '../store/overview-queries.ts';

// A program at a glance: what came in, what it paid, what it sent, and what
// stops it working. Numbers only; the console draws them. The window is the
// last 30 UTC calendar days, today included.

export const OVERVIEW_DAYS = 30;

export type AttentionItem = {
  code: 'smtp_failing' | 'webhook_disabled' | 'webhook_failing' | 'domain_unverified' | 'emails_failed' | 'no_rules';
  message: string;
};

export async function programOverview(services: Services, tenant: Tenant, programId: string) {
  const db = services.store.db;
  const program = await findProgram(db, tenant.id, programId);
  if (!program) throw new AppError('not_found', 'program not found');
  const today = services.clock.now().toISOString().slice(0, 10);
  const start = new Date(`${today}T00:00:00.000Z`);
  start.setUTCDate(start.getUTCDate() - (OVERVIEW_DAYS - 1));
  const since = start.toISOString();
  const days = Array.from({ length: OVERVIEW_DAYS }, (_, i) => new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10));

  const [events, rewards, reviews, emails, outbox, facts] = await Promise.all([
    eventsPerDay(db, tenant.id, program.id, since),
    rewardsByStatus(db, tenant.id, program.id, since),
    pendingReviewCount(db, tenant.id, program.id),
    emailsPerDay(db, tenant.id, program.id, since),
    programOutbox(db, tenant.id, program.id),
    attentionFacts(db, tenant.id),
  ]);

  const eventsByDay = new Map(events.map((r) => [r.day, r.n]));
  const emailRows = days.map((d) => ({ day: d, sent: 0, failed: 0, suppressed: 0 }));
  const emailIndex = new Map(emailRows.map((r) => [r.day, r]));
  for (const r of emails) {
    const row = emailIndex.get(r.day);
    if (row) row[r.status] += r.n;
  }
  const emailTotals = { sent: 0, failed: 0, suppressed: 0 };
  for (const r of emailRows) for (const k of ['sent', 'failed', 'suppressed'] as const) emailTotals[k] += r[k];

  const statuses = ['pending', 'available', 'redeemed', 'cancelled', 'expired'] as const;
  const rewardRows = statuses.map((status) => {
    const rows = rewards.filter((r) => r.status === status).sort((a, b) => a.currency.localeCompare(b.currency));
    return { status, count: rows.reduce((n, r) => n + r.n, 0), value: rows.map((r) => ({ currency: r.currency, amountMinor: r.valueMinor })) };
  });

  const attention: AttentionItem[] = [];
  const s = facts.settings;
  if (s?.smtp_host && s.smtp_status === 'needs_attention') {
    attention.push({ code: 'smtp_failing', message: `Your SMTP server ${s.smtp_host} stopped accepting the login: emails wait until it is fixed.${s.smtp_last_error ? ` It answered: ${s.smtp_last_error}` : ''}` });
  }
  if (s?.domain && s.domain_status !== 'verified') {
    attention.push({ code: 'domain_unverified', message: `The custom domain ${s.domain} is not verified: emails go From the built-in address until its DNS records are found.` });
  }
  for (const e of facts.endpoints) {
    if (e.status === 'disabled' && e.disabled_reason === 'failing') attention.push({ code: 'webhook_disabled', message: `The webhook endpoint ${e.url} was disabled after its deliveries kept failing.` });
    else if (e.status === 'enabled' && e.failing_since) attention.push({ code: 'webhook_failing', message: `Deliveries to the webhook endpoint ${e.url} have failed since ${e.failing_since.slice(0, 16).replace('T', ' ')} UTC.` });
  }
  if (emailTotals.failed > 0) attention.push({ code: 'emails_failed', message: `${emailTotals.failed} email${emailTotals.failed === 1 ? '' : 's'} of this program failed in the last ${OVERVIEW_DAYS} days.` });
  if (program.active_version === null) attention.push({ code: 'no_rules', message: 'The program has no active rules: events are stored but nothing fires.' });

  return {
    programId: program.id,
    name: program.name,
    since,
    days,
    events: { total: events.reduce((n, r) => n + r.n, 0), perDay: days.map((d) => eventsByDay.get(d) ?? 0) },
    rewards: rewardRows,
    emails: { totals: emailTotals, perDay: emailRows },
    outbox,
    pendingReviews: reviews,
    attention,
  };
}

export type ProgramOverview = Awaited<ReturnType<typeof programOverview>>;
