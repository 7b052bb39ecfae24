import { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../store/database.ts';
import { createStore, type Store } from '../store/store.ts';
import { createSqliteDialect } from '../store/dialects/sqlite-dialect.ts';
import { createPostgresDialect } from '../store/dialects/postgres-dialect.ts';
import type { Services } from '../services.ts';
import { bootServices } from '../boot.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { MailTransport } from '../../plugins/types.ts';
import type { HostResolver } from '../../plugins/mail/smtp-guard.ts';
import { createNodeResolver } from '../dns/node-resolver.ts';
import { createNodeSmtpDriver } from './node-smtp-driver.ts';
import { createNodeWebhookClient } from './node-webhook-client.ts';

export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const dialect = createSqliteDialect(databaseUrl.slice('sqlite:'.length));
    return createStore(new Kysely<Database>({ dialect }), 'sqlite', dialect);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return createStore(new Kysely<Database>({ dialect: createPostgresDialect(databaseUrl) }), 'postgres');
  }
  throw new Error(`DATABASE_URL ${databaseUrl.split(':')[0]}: is not available on Node (use sqlite: or postgres://)`);
}

export type NodeServiceOptions = {
  clock?: Clock;
  logger?: Logger;
  builtinTransport?: MailTransport;
  store?: Store;
  resolver?: HostResolver;
  /** Extra trusted CA certificates (PEM) for SMTP TLS; NODE_EXTRA_CA_CERTS works too. */
  smtpCa?: string[];
  /** Extra trusted CA certificates (PEM) for webhook receivers. */
  webhookCa?: string[];
};

/** Builds the services the Node entry, the CLI and the tests share; migrates first. */
export function buildNodeServices(config: Config, o: NodeServiceOptions = {}): Promise<Services> {
  return bootServices({
    config,
    store: o.store ?? openStore(config.DATABASE_URL),
    smtp: createNodeSmtpDriver({ ca: o.smtpCa }),
    resolver: o.resolver ?? createNodeResolver({ server: config.DNS_RESOLVER }),
    builtinTransport: o.builtinTransport,
    webhookHttp: createNodeWebhookClient({ ca: o.webhookCa }),
    clock: o.clock,
    logger: o.logger,
  });
}
