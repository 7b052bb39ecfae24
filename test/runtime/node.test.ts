import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRuntime } from './scenarios.ts';
import { freshPostgresSchema } from '../support/databases.ts';
import { DIALECTS } from '../support/databases.ts';

// `npm run start:node`: @hono/node-server, better-sqlite3 or pg, nodemailer.
describeRuntime('Node (SQLite)', {
  runtime: 'node',
  dialect: 'sqlite',
  prepare: async () => ({ env: { DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'advocate-node-')), 'advocate.db')}` } }),
});

if (DIALECTS.includes('postgres')) describeRuntime('Node (PostgreSQL)', {
  runtime: 'node',
  dialect: 'postgres',
  async prepare() {
    const schema = await freshPostgresSchema();
    return { env: { DATABASE_URL: schema.url }, cleanup: schema.drop };
  },
});
