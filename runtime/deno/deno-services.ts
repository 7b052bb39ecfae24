/// <reference path="./node-sqlite.d.ts" />
import { Kysely } from 'kysely';
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../store/database.ts';
import { createStore, type Store } from '../store/store.ts';
import { createNodeSqliteDialect } from '../store/dialects/node-sqlite-dialect.ts';
import { createPostgresDialect } from '../store/dialects/postgres-dialect.ts';
import { bootServices } from '../boot.ts';
import type { Services } from '../services.ts';
import { createNodeResolver } from '../dns/node-resolver.ts';
import { createNodeSmtpDriver } from '../node/node-smtp-driver.ts';
import { createNodeWebhookClient } from '../node/node-webhook-client.ts';

// Deno runs the Node pieces that need no native addon: node:sqlite instead
// of better-sqlite3, pg, and nodemailer over Deno's node:net and node:tls.

export function openDenoStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return createStore(new Kysely<Database>({ dialect: createNodeSqliteDialect(new DatabaseSync(file)) }), 'sqlite');
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return createStore(new Kysely<Database>({ dialect: createPostgresDialect(databaseUrl) }), 'postgres');
  }
  throw new Error(`DATABASE_URL ${databaseUrl.split(':')[0]}: is not available on Deno (use sqlite: or postgres://)`);
}

/**
 * `extraCaFile`: NODE_EXTRA_CA_CERTS, which Deno itself ignores; read here so
 * the setting trusts a private relay's CA on Deno as it does on Node.
 */
export function buildDenoServices(config: Config, o: { extraCaFile?: string } = {}): Promise<Services> {
  const ca = o.extraCaFile ? readFileSync(o.extraCaFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [] : [];
  return bootServices({
    config,
    store: openDenoStore(config.DATABASE_URL),
    smtp: createNodeSmtpDriver({ ca }),
    webhookHttp: createNodeWebhookClient({ ca }),
    resolver: createNodeResolver({ server: config.DNS_RESOLVER }),
  });
}
