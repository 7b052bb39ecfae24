import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { parseConfig, ConfigError } from './config.ts';
import { createApp } from './app.ts';
import { builtinSenderName, StartupError } from './boot.ts';
import { withLocalSecrets } from './node/local-secrets.ts';
import { buildNodeServices } from './node/node-services.ts';
import { watchHttpServer } from './node/http-drain.ts';
import { startTimers } from './timers.ts';
import { nodePeerAddress } from './node/peer-address.ts';
import { nodeRequestBody } from './node/request-body.ts';
import { stopServices } from './shutdown.ts';
import { createLogger } from './logger.ts';
import { createBatchedStdout } from './node/batched-stdout.ts';

// The Node.js entry: configuration, services, HTTP server, background loops,
// and a clean stop on SIGTERM/SIGINT (see shutdown.ts and node/http-drain.ts).
try {
  const config = parseConfig(withLocalSecrets(process.env));
  const services = await buildNodeServices(config, { logger: createLogger(createBatchedStdout()) });
  const app = createApp(services, { peerAddress: nodePeerAddress, requestBody: nodeRequestBody });
  const stopTimers = startTimers(services);
  const server = serve({ fetch: app.fetch, port: config.PORT }, (info) => {
    services.logger.info('advocate-rules listening', { port: info.port, runtime: 'node', database: services.store.dialect, builtinSender: builtinSenderName(config) });
  }) as Server;
  const http = watchHttpServer(server);

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: the operator does not want to wait.
      services.logger.warn('advocate-rules stopped at once (second signal)', { signal });
      process.exit(1);
    }
    stopping = true;
    const started = Date.now();
    const deadline = started + config.SHUTDOWN_TIMEOUT_MS;
    const jobs = stopTimers();
    const { cutOff } = await http.close(deadline);
    const { sendsCutOff } = await stopServices(services, deadline, jobs);
    services.logger.info('advocate-rules stopped', { signal, durationMs: Date.now() - started, requestsCutOff: cutOff, sendsCutOff });
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartupError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
