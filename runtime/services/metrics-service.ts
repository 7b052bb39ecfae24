import type { Services } from '../services.ts';
import { outboxStats } from '../store/outbox-stats-queries.ts';

/** GET /metrics: the process's counters and histograms, and the outbox as the database has it now. */
export async function renderMetrics(services: Services): Promise<string> {
  const now = services.clock.now();
  const stats = await outboxStats(services.store.db, now.toISOString());
  const age = (at: string | null) => (at === null ? 0 : Math.max(0, (now.getTime() - Date.parse(at)) / 1000));
  return services.metrics.registry.render([
    {
      name: 'advocate_emails',
      help: 'Emails in the outbox by status (queued, sending, failed); sent ones are counted by advocate_email_attempts_total.',
      samples: (['queued', 'sending', 'failed'] as const).map((status) => ({ labels: { status }, value: stats[status] })),
    },
    { name: 'advocate_outbox_depth', help: 'Emails waiting to be sent or being sent.', samples: [{ value: stats.queued + stats.sending }] },
    { name: 'advocate_outbox_oldest_due_seconds', help: 'How long the oldest email due now has been waiting (0 when none).', samples: [{ value: age(stats.oldestDueAt) }] },
    { name: 'advocate_dispatcher_leases', help: 'Outbox leases: held (being sent now) and expired (a dispatcher stopped mid-send; retried).', samples: [{ labels: { state: 'held' }, value: stats.leased }, { labels: { state: 'expired' }, value: stats.sending - stats.leased }] },
  ]);
}
