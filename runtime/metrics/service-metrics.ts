import type { MailFailureKind } from '../../plugins/types.ts';
import { createRegistry, type Registry } from './registry.ts';

// What the services report, named once. Services call these methods; they
// never see the registry or the exposition format.

export type EventOutcome = 'created' | 'replayed' | 'rejected' | 'error';

export type ServiceMetrics = {
  /** One event request answered, with how long it took and how many rules fired. */
  eventHandled(outcome: EventOutcome, seconds: number, rulesFired: number): void;
  /** One delivery attempt: sent, or failed with its class (transient attempts are retried later). */
  emailAttempt(sender: string, failure: MailFailureKind | null, seconds: number): void;
  /** A request refused by a rate limit (429). */
  rateLimited(): void;
  readonly registry: Registry;
};

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export function createServiceMetrics(): ServiceMetrics {
  const registry = createRegistry();
  const events = registry.counter('advocate_events_total', 'Events received, by outcome (created, replayed, rejected, error).');
  const eventSeconds = registry.histogram('advocate_event_duration_seconds', 'Time to answer an event request.', SECONDS);
  const rules = registry.counter('advocate_rules_fired_total', 'Rules fired by created events.');
  const attempts = registry.counter('advocate_email_attempts_total', 'Email delivery attempts, by sender and result (sent, or the failure class).');
  const smtpSeconds = registry.histogram('advocate_smtp_send_duration_seconds', 'Time to hand one email to the SMTP server (or capture), by sender.', SECONDS);
  const refusals = registry.counter('advocate_rate_limit_refusals_total', 'Requests refused by a rate limit (429).');
  return {
    registry,
    eventHandled(outcome, seconds, rulesFired) {
      events.inc({ outcome });
      eventSeconds.observe(seconds);
      if (rulesFired > 0) rules.inc({}, rulesFired);
    },
    emailAttempt(sender, failure, seconds) {
      attempts.inc({ sender, result: failure ?? 'sent' });
      smtpSeconds.observe(seconds, { sender });
    },
    rateLimited() {
      refusals.inc();
    },
  };
}
