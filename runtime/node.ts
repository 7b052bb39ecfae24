import { serve } from '@hono/node-server';
import { parseConfig, ConfigError } from './config.ts';
import { createApp } from './app.ts';
import { builtinSenderName } from './boot.ts';
import { withLocalSecrets } from './node/local-secrets.ts';
import { buildNodeServices } from './node/node-services.ts';
import { startTimers } from './timers.ts';
import { nodePeerAddress } from './node/peer-address.ts';

// The Node.js entry: configuration, services, HTTP server, background loops.
try {
  const config = parseConfig(withLocalSecrets(process.env));
  const services = await buildNodeServices(config);
  const app = createApp(services, { peerAddress: nodePeerAddress });
  const stopTimers = startTimers(services);
  const server = serve({ fetch: app.fetch, port: config.PORT }, (info) => {
    services.logger.info('advocate-rules listening', { port: info.port, runtime: 'node', database: services.store.dialect, builtinSender: builtinSenderName(config) });
  });
  const shutdown = () => {
    stopTimers();
    server.close(() => void services.store.db.destroy().then(() => process.exit(0)));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
