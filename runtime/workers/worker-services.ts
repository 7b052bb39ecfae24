import { Kysely } from 'kysely';
import { parseConfig, type Config } from '../config.ts';
import type { Database } from '../store/database.ts';
import { createStore, type Store } from '../store/store.ts';
import { createD1Dialect, type D1DatabaseBinding } from '../store/dialects/d1-dialect.ts';
import { bootServices } from '../boot.ts';
import type { Services } from '../services.ts';
import { runDueJobs } from '../scheduler.ts';
import { createDohResolver } from '../dns/doh-resolver.ts';
import { createWorkersSmtpDriver } from './workers-smtp-driver.ts';
import { createSendEmailTransport, type SendEmailBinding } from './send-email-transport.ts';

/** Bindings and variables: D1 under the name DATABASE_URL gives (`d1:DB`), EMAIL when Email Service is bound, strings for the rest. */
export type WorkerEnv = Record<string, unknown> & { EMAIL?: SendEmailBinding };

export function workerConfig(env: WorkerEnv): Config {
  const strings = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  return parseConfig({ DATABASE_URL: 'd1:DB', ...strings }, { hasMailBinding: env.EMAIL !== undefined });
}

function openD1Store(config: Config, env: WorkerEnv): Store {
  const binding = config.DATABASE_URL.startsWith('d1:') ? config.DATABASE_URL.slice('d1:'.length) : '';
  const database = env[binding] as D1DatabaseBinding | undefined;
  if (!database) throw new Error(`DATABASE_URL ${config.DATABASE_URL}: Workers need a D1 binding (d1:<binding> as named in wrangler.toml)`);
  return createStore(new Kysely<Database>({ dialect: createD1Dialect(database) }), 'd1');
}

let booting: Promise<Services> | null = null;

/**
 * Services live as long as the isolate. The first request (or cron run)
 * migrates D1; a failed boot is forgotten so the next request tries again.
 */
export function servicesFor(env: WorkerEnv): Promise<Services> {
  booting ??= (async () => {
    const config = workerConfig(env);
    return bootServices({
      config,
      store: openD1Store(config, env),
      smtp: createWorkersSmtpDriver({ clientName: new URL(config.PUBLIC_URL).hostname }),
      resolver: createDohResolver(),
      // Cloudflare Email Service when the binding is there; otherwise boot picks the relay (BUILTIN_SMTP_URL) or capture.
      builtinTransport: env.EMAIL ? createSendEmailTransport(env.EMAIL) : undefined,
      // Sends run in the request (or cron run) that claimed them. At most as many per
      // tenant as a transport opens sockets (3), so no send waits on a socket another
      // request holds (workerd cancels a request that only waits on another's I/O), and
      // six in all, the open connections a Workers request may have.
      // Each send writes its own outcome, in its own request (no write shared across requests).
      dispatch: { perTenant: 3, maxInFlight: 6, batchOutcomes: false },
    });
  })().catch((error) => {
    booting = null;
    throw error;
  });
  return booting;
}

/** One Cron Trigger run: scheduled jobs, then everything due in the outboxes (mail and webhooks). */
export async function cronRound(services: Services): Promise<void> {
  await runDueJobs(services);
  await Promise.all([services.dispatcher.drain(), services.webhooks.drain()]);
}
