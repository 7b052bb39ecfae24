import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRuntime } from './scenarios.ts';

// `npm run start:workerd`: the Worker in wrangler's local mode on workerd,
// a local D1 (fresh per run), SMTP over cloudflare:sockets.
describeRuntime('workerd (D1)', {
  runtime: 'workerd',
  dialect: 'd1',
  prepare: async () => ({ env: {}, args: ['--persist-to', mkdtempSync(join(tmpdir(), 'advocate-workerd-'))] }),
});
