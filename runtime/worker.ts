/// <reference types="@cloudflare/workers-types" />
import { createApp } from './app.ts';
import { ConfigError } from './config.ts';
import { cronRound, servicesFor, type WorkerEnv } from './workers/worker-services.ts';

// The Workers entry: the same app over D1, with the outbox and the scheduler
// driven by the Cron Trigger instead of timers. Mail an API request queued is
// delivered after the response, within that request's lifetime (waitUntil);
// webhooks likewise.
let app: ReturnType<typeof createApp> | null = null;

export default {
  async fetch(request, env, ctx) {
    let services;
    try {
      services = await servicesFor(env);
    } catch (error) {
      // A bad setting names the variable (never its value); anything else stays in the log.
      console.error(error);
      const message = error instanceof ConfigError ? error.message : 'the service is starting or misconfigured; see the Worker logs';
      return Response.json({ error: { code: 'unavailable', message, details: [] } }, { status: 503 });
    }
    // Cloudflare connects to the Worker for the client and names it in CF-Connecting-IP; there is no other peer.
    app ??= createApp(services, { peerAddress: (c) => c.req.header('cf-connecting-ip') ?? null });
    const response = await app.fetch(request);
    ctx.waitUntil(Promise.all([services.dispatcher.idle(), services.webhooks.idle()]));
    return response;
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(servicesFor(env).then(cronRound));
  },
} satisfies ExportedHandler<WorkerEnv>;
