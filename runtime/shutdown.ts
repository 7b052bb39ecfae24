import type { Services } from './services.ts';

// The runtime-neutral half of a clean stop (Node and Deno): once the HTTP
// server has stopped taking requests, the outbox finishes the sends under way
// and hands back the emails it claimed but had not started, webhook deliveries
// under way finish (or their leases expire), then the database
// closes. Everything is bounded by one deadline (SHUTDOWN_TIMEOUT_MS).

/** True when `work` settled before `deadline` (epoch ms); false when the deadline came first. */
export async function settlesBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

export type StopReport = {
  /** The deadline came while sends were under way; their leases expire and another run retries them. */
  sendsCutOff: boolean;
};

/** `jobs`: the scheduler run under way, if any (startTimers' stop). */
export async function stopServices(services: Services, deadline: number, jobs: Promise<void> = Promise.resolve()): Promise<StopReport> {
  const [sendsFinished] = await Promise.all([settlesBy(services.dispatcher.stop(), deadline), settlesBy(services.webhooks.idle(), deadline), settlesBy(jobs, deadline)]);
  await settlesBy(services.builtinTransport.close(), deadline);
  await services.store.db.destroy().catch((error) => services.logger.error('closing the database failed', { error }));
  return { sendsCutOff: !sendsFinished };
}
