import { parseConfig, ConfigError } from './config.ts';
import { createApp } from './app.ts';
import { builtinSenderName } from './boot.ts';
import { withLocalSecrets } from './node/local-secrets.ts';
import { buildDenoServices } from './deno/deno-services.ts';
import { startTimers } from './timers.ts';

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
  const shutdown = async () => {
    stopTimers();
    await server.shutdown();
    await services.dispatcher.idle();
    await services.webhooks.idle();
    await services.store.db.destroy();
    Deno.exit(0);
  };
  Deno.addSignalListener('SIGINT', shutdown);
  Deno.addSignalListener('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    Deno.exit(1);
  }
  throw error;
}
