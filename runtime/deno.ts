import { parseConfig, ConfigError } from './config.ts';
import { createApp } from './app.ts';
import { builtinSenderName, StartupError } from './boot.ts';
import { withLocalSecrets } from './node/local-secrets.ts';
import { buildDenoServices } from './deno/deno-services.ts';
import { startTimers } from './timers.ts';
import { settlesBy, stopServices } from './shutdown.ts';

// The Deno entry: the same app and loops as on Node, served by Deno.serve.
try {
  const env = Deno.env.toObject();
  const config = parseConfig(withLocalSecrets(env));
  const services = await buildDenoServices(config, { extraCaFile: env.NODE_EXTRA_CA_CERTS });
  // Deno.serve reports the peer beside the request; it travels to the app as its env.
  const app = createApp(services, { peerAddress: (c) => (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname ?? null });
  const stopTimers = startTimers(services);
  const server = Deno.serve(
    {
      port: config.PORT,
      onListen: ({ port }) => services.logger.info('advocate-rules listening', { port, runtime: 'deno', database: services.store.dialect, builtinSender: builtinSenderName(config) }),
    },
    (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
  );
  let stopping = false;
  const shutdown = async (signal: 'SIGINT' | 'SIGTERM') => {
    if (stopping) Deno.exit(1);
    stopping = true;
    const started = Date.now();
    const deadline = started + config.SHUTDOWN_TIMEOUT_MS;
    const jobs = stopTimers();
    // Deno.serve's shutdown stops accepting and lets requests in flight finish.
    const requestsFinished = await settlesBy(server.shutdown(), deadline);
    const { sendsCutOff } = await stopServices(services, deadline, jobs);
    services.logger.info('advocate-rules stopped', { signal, durationMs: Date.now() - started, requestsCutOff: !requestsFinished, sendsCutOff });
    Deno.exit(0);
  };
  Deno.addSignalListener('SIGINT', () => void shutdown('SIGINT'));
  Deno.addSignalListener('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartupError) {
    console.error(error.message);
    Deno.exit(1);
  }
  throw error;
}
