import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_NAMES, parseConfig, ConfigError } from '../config.ts';
import { withLocalSecrets } from '../node/local-secrets.ts';
import { freePort } from '../node/free-port.ts';

// `npm run start:workerd`: the Worker on workerd through wrangler's local mode,
// started the way the other entries start: settings from the environment,
// PORT honoured, the local D1 migrated before "listening" is announced. The
// Cron Trigger, which wrangler does not fire locally, is fired here every
// SCHEDULER_INTERVAL_MS (a deployed Worker runs it every minute).
// Extra arguments go to `wrangler dev`, e.g. `-- --persist-to /tmp/state`.

const extraArgs = process.argv.slice(2);
const persistIndex = extraArgs.indexOf('--persist-to');
const persistTo = persistIndex >= 0 ? extraArgs[persistIndex + 1] : '.wrangler/state';

try {
  // Local use needs no configuration, as with `npm start`: missing secrets are
  // generated once and kept beside the local D1 (mode 0600).
  const env = withLocalSecrets({ ...process.env, DATABASE_URL: `sqlite:${join(persistTo, 'd1')}` });
  // A local D1 is a local database: without a relay, mail is captured, as with `npm start`.
  const MAIL_CAPTURE = process.env.MAIL_CAPTURE || (process.env.BUILTIN_SMTP_URL ? undefined : 'true');
  const config = parseConfig({ ...env, MAIL_CAPTURE, DATABASE_URL: process.env.DATABASE_URL ?? 'd1:DB' });
  await run(config.PORT, config.SCHEDULER_INTERVAL_MS, { ...pick(process.env, CONFIG_NAMES), MAIL_CAPTURE, ADMIN_TOKEN: env.ADMIN_TOKEN, SECRET_KEY: env.SECRET_KEY });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

async function run(port: number, cronEveryMs: number, vars: Record<string, string | undefined>) {
  // The secrets wrangler.toml declares go in an env file (kept out of the process list); with
  // [secrets] declared, wrangler reads only those from it, so every other setting is a --var.
  const folder = mkdtempSync(join(tmpdir(), 'advocate-workerd-'));
  const envFile = join(folder, 'worker.env');
  const { ADMIN_TOKEN, SECRET_KEY, PORT: _port, ...settings } = vars;
  writeFileSync(envFile, `ADMIN_TOKEN=${JSON.stringify(ADMIN_TOKEN)}\nSECRET_KEY=${JSON.stringify(SECRET_KEY)}\n`, { mode: 0o600 });
  const varArgs = Object.entries(settings).flatMap(([name, value]) => (value === undefined ? [] : ['--var', `${name}:${value}`]));

  const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
  const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--env-file', envFile, ...varArgs, '--show-interactive-dev-session=false', ...extraArgs];
  const child = spawn(process.execPath, [wrangler, ...args], { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  const cleanup = () => rmSync(folder, { recursive: true, force: true });
  let cron: ReturnType<typeof setInterval> | undefined;
  child.on('exit', (code, signal) => {
    clearInterval(cron);
    cleanup();
    process.exit(code ?? (signal ? 1 : 0));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));

  const base = `http://127.0.0.1:${port}`;
  // The first request boots the Worker, which migrates D1; only then is it ready.
  try {
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 90_000);
  } catch (error) {
    console.error((error as Error).message);
    child.kill('SIGTERM');
    return;
  }
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'advocate-rules listening', port, runtime: 'workerd', database: 'd1' }));
  cron = setInterval(() => void fetch(`${base}/cdn-cgi/handler/scheduled`).catch(() => {}), cronEveryMs);
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [name, env[name]]));
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`the Worker did not become ready within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

