/// <reference types="@cloudflare/workers-types" />
import { createApp } from './app.ts';
import { cronRound, servicesFor, type WorkerEnv } from './workers/worker-services.ts';

// The Workers entry: the same app over D1, with the outbox and the scheduler
// driven by the Cron Trigger instead of timers. Mail an API request queued is
// delivered after the response, within that request's lifetime (waitUntil).
let app: ReturnType<typeof createApp> | null = null;

export default {
  async fetch(request, env, ctx) {
    const services = await servicesFor(env);
    app ??= createApp(services);
    const response = await app.fetch(request);
    ctx.waitUntil(services.dispatcher.idle());
    return response;
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(servicesFor(env).then(cronRound));
  },
} satisfies ExportedHandler<WorkerEnv>;
