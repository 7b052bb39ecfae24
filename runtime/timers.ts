import type { Services } from './services.ts';
import { runDueJobs } from './scheduler.ts';

/**
 * The in-process loops of long-running runtimes (Node, Deno): the outbox
 * dispatchers (mail and webhooks) and the scheduler. Workers drive the same work from a Cron Trigger.
 */
export function startTimers(services: Services): () => Promise<void> {
  const dispatch = setInterval(() => {
    services.dispatcher.kick();
    services.webhooks.kick();
  }, services.config.DISPATCH_INTERVAL_MS);
  services.dispatcher.kick();
  services.webhooks.kick();

  // A run that outlasts the interval is not overlapped by the next tick; the
  // first run happens at start, so work that fell due while we were down goes out.
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = runDueJobs(services)
      .catch((error) => services.logger.error('scheduler run failed', { error }))
      .finally(() => {
        running = null;
      });
  };
  const schedule = setInterval(tick, services.config.SCHEDULER_INTERVAL_MS);
  tick();

  // Stopping clears the loops; the promise settles when a scheduler run under way has finished.
  return () => {
    clearInterval(dispatch);
    clearInterval(schedule);
    return running ? running.then(() => undefined) : Promise.resolve();
  };
}
