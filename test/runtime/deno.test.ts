import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRuntime } from './scenarios.ts';
import { freshPostgresSchema } from '../support/databases.ts';
import { DIALECTS } from '../support/databases.ts';

// `npm run start:deno`: Deno.serve, node:sqlite or pg, nodemailer over Deno's node:tls.
describeRuntime('Deno (SQLite through node:sqlite)', {
  runtime: 'deno',
  dialect: 'sqlite',
  prepare: async () => ({ env: { DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'advocate-deno-')), 'advocate.db')}` } }),
});

if (DIALECTS.includes('postgres')) describeRuntime('Deno (PostgreSQL)', {
  runtime: 'deno',
  dialect: 'postgres',
  async prepare() {
    const schema = await freshPostgresSchema();
    return { env: { DATABASE_URL: schema.url }, cleanup: schema.drop };
  },
});
