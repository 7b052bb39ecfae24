import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRuntime } from '../runtime/scenarios.ts';
import { startProcess } from '../runtime/runtime-process.ts';
import { DIALECTS, freshPostgresSchema } from '../support/databases.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { freePort } from '../../runtime/node/free-port.ts';
import { referralRules } from '../api/fixtures.ts';

// The production path, as the README gives it: the repository's files in a
// fresh folder, `npm ci --omit=dev` (no TypeScript tooling, no wrangler, no
// Deno), `npm run build`, `npm run serve`. One clean install for the whole
// file (four to five minutes on this machine, most of it compiling
// better-sqlite3 when no prebuilt binary can be downloaded); the scenario suite and the shutdown test both
// run against what it built. The Dockerfile runs exactly these commands.

const run = promisify(execFile);
const REPO = new URL('../..', import.meta.url).pathname;
let app: string;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'advocate-built-'));
  // Every file git would ship (tracked, or new and not ignored): no node_modules, no dist, no data.
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(app, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(app, file));
  }
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
  await run('npm', ['run', 'build'], { cwd: app });
}, 600_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('the production install', () => {
  it('has no development tooling, and a bundle that needs none', () => {
    // (typescript may still be there: valibot names it as an optional peer. Nothing at run time loads it.)
    for (const dev of ['vitest', 'wrangler', 'deno', 'playwright-core']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).scripts.serve).toBe('exec node dist/node.js');
    const bundle = readFileSync(join(app, 'dist/node.js'), 'utf8');
    expect(bundle).not.toMatch(/from ['"]tsx|require\(['"]tsx/);
    expect(existsSync(join(app, 'dist/cli.js'))).toBe(true);
  });

  it('runs the CLI from the bundle: a fresh key for SECRET_KEY', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'bin/advocate-rules.js'), 'secret-key'], { cwd: app });
    expect(stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

// The scenario suite against `node dist/node.js` (the container's command) on PostgreSQL, the production database.
if (DIALECTS.includes('postgres')) {
  describeRuntime('the built server (node dist/node.js, PostgreSQL)', {
    runtime: 'node',
    dialect: 'postgres',
    start: () => ({ cwd: app, command: [process.execPath, 'dist/node.js'] }),
    async prepare() {
      const schema = await freshPostgresSchema();
      return { env: { DATABASE_URL: schema.url }, cleanup: schema.drop };
    },
  });
}

describe('stopping the built server under load (SIGTERM to npm run serve)', () => {
  let relay: TestSmtpServer;
  let dataDir: string;
  const ADMIN_TOKEN = 'shutdown-admin-token-0123456789';
  const env = () => ({
    DATABASE_URL: `sqlite:${join(dataDir, 'advocate.db')}`,
    ADMIN_TOKEN,
    SECRET_KEY: 'c2h1dGRvd24ta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0',
    // Each SMTP session waits before its greeting, so sends are under way when the signal comes.
    BUILTIN_SMTP_URL: `smtp://127.0.0.1:${relay.port}?starttls=off`,
    DISPATCH_INTERVAL_MS: '200',
  });

  beforeAll(async () => {
    relay = await startSmtpServer({ mode: 'plain', greetingDelayMs: 150 });
    dataDir = mkdtempSync(join(tmpdir(), 'advocate-shutdown-'));
  });
  afterAll(async () => {
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request it took, sends no email twice, logs one line and exits 0', async () => {
    const port = await freePort();
    const start = () =>
      startProcess('npm', ['run', '--silent', 'serve'], { cwd: app, env: { ...env(), PORT: String(port) }, ready: /"msg":"advocate-rules listening"/, readyMs: 60_000, what: 'npm run serve' });
    let server = await start();
    const base = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const tenant = (await call('POST', '/v1/tenants', ADMIN_TOKEN, { name: 'Load' })).body;
    const program = (await call('POST', '/v1/programs', tenant.apiKey, { name: 'Load' })).body;
    expect((await call('PUT', `/v1/programs/${program.id}/rules`, tenant.apiKey, referralRules)).status).toBe(200);
    await call('PUT', '/v1/participants/alice', tenant.apiKey, { email: 'alice@example.com', payoutInfoComplete: true });

    // Load: keep-alive clients posting signups back to back (each queues emails), until the server refuses to connect.
    type Outcome = { status?: number; error?: string; connection?: string };
    const outcomes: Outcome[] = [];
    let answered = 0;
    let onAnswered: (() => void) | null = null;
    const post = (agent: http.Agent, n: number) =>
      new Promise<Outcome>((resolve) => {
        const body = JSON.stringify({ id: `signup-${n}`, type: 'signup', participantId: `p-${n}` });
        const req = http.request(`${base}/v1/programs/${program.id}/events`, { method: 'POST', agent, headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
          res.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
        });
        req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
        req.end(body);
      });
    let next = 0;
    const client = async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (;;) {
        const n = next++;
        // Participants first: a signup needs one (one request, on the same connection).
        const put = await new Promise<Outcome>((resolve) => {
          const req = http.request(`${base}/v1/participants/p-${n}`, { method: 'PUT', agent, headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' } }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
          });
          req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
          req.end(JSON.stringify({ email: `p-${n}@example.com`, referredBy: 'alice' }));
        });
        outcomes.push(put);
        if (put.error) break;
        const outcome = await post(agent, n);
        outcomes.push(outcome);
        answered++;
        onAnswered?.();
        if (outcome.error) break;
      }
      agent.destroy();
    };
    const clients = Array.from({ length: 6 }, client);
    await new Promise<void>((resolve) => (onAnswered = () => answered >= 40 && resolve()));
    // The signal goes to npm only, as a container runtime or systemd sends it: npm must hand it on.
    process.kill(server.child.pid!, 'SIGTERM');
    await Promise.all(clients);
    await server.exited;

    expect(server.child.exitCode, server.output()).toBe(0);
    const stopped = server.output().split('\n').filter((line) => line.includes('"msg":"advocate-rules stopped"'));
    expect(stopped).toHaveLength(1);
    expect(JSON.parse(stopped[0])).toMatchObject({ signal: 'SIGTERM', requestsCutOff: 0, sendsCutOff: false });
    // Every request was either answered in full or never connected: no resets, no half answers.
    const errors = outcomes.filter((o) => o.error).map((o) => o.error);
    expect(new Set(errors)).toEqual(new Set(['ECONNREFUSED']));
    expect(outcomes.filter((o) => o.status !== undefined).every((o) => o.status === 200 || o.status === 201)).toBe(true);
    // Those answered after the signal told the client to close the connection.
    expect(outcomes.some((o) => o.connection === 'close')).toBe(true);

    // Started again on the same database, it sends what was left; no email reaches the relay twice.
    server = await start();
    try {
      const deadline = Date.now() + 60_000;
      let emails: any[] = [];
      for (;;) {
        emails = (await call('GET', '/v1/emails?limit=200', tenant.apiKey)).body.emails;
        if (emails.every((e) => e.status === 'sent')) break;
        if (Date.now() > deadline) throw new Error(`emails did not settle: ${JSON.stringify(emails.map((e) => [e.status, e.attempts]))}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(emails.length).toBeGreaterThanOrEqual(40);
      const received = relay.messages.map((m) => /^Message-ID: (.+)$/m.exec(m.raw)?.[1].trim());
      for (const email of emails) expect(received.filter((id) => id === email.messageId), email.messageId).toHaveLength(1);
      expect(received).toHaveLength(emails.length);
    } finally {
      await server.stop();
    }
  });
});
