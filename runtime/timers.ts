import type { Services } from './services.ts';

/**
 * The in-process loops of long-running runtimes (Node, Deno): the outbox
 * dispatcher and the scheduler. Workers drive the same work from a Cron Trigger.
 */
export function startTimers(services: Services): () => void {
  const dispatch = setInterval(() => services.dispatcher.kick(), services.config.DISPATCH_INTERVAL_MS);
  services.dispatcher.kick();
  return () => clearInterval(dispatch);
}
