import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startProcess } from '../runtime/runtime-process.ts';
import { DIALECTS, freshPostgresSchema } from '../support/databases.ts';
import { closedPort } from '../support/smtp-servers.ts';
import { freePort } from '../../runtime/node/free-port.ts';

// Starting and stopping the server as an operator does (`npm start`), with the
// mistakes operators make: what it says, and that it stops cleanly.

const run = promisify(execFile);
const REPO = new URL('../..', import.meta.url).pathname;
const KEY = 'c3RhcnR1cC1rZXktMzItYnl0ZXMtbG9uZy0tLS0tLS0';

async function npmStart(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'start'], { cwd: REPO, env: { ...process.env, PORT: String(await freePort()), ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('starting the server', () => {
  it('lists every configuration problem at once, each with its fix, and exits 1', async () => {
    const res = await npmStart({ DATABASE_URL: 'postgres://app@127.0.0.1:5432/advocate', PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      'Invalid configuration (4 problems):',
      expect.stringMatching(/^  - PORT must be a whole number — /),
      expect.stringMatching(/^  - ADMIN_TOKEN is missing — .*`npx advocate-rules secret-key`/),
      expect.stringMatching(/^  - SECRET_KEY is missing — run `npx advocate-rules secret-key`/),
      expect.stringMatching(/^  - BUILTIN_SMTP_URL is missing — .*MAIL_CAPTURE=true/),
    ]);
  });

  it('says in one line that the database is unreachable, and exits 1', async () => {
    const port = await closedPort();
    const res = await npmStart({ DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${port}/advocate`, ADMIN_TOKEN: 'startup-admin-token-0123', SECRET_KEY: KEY, MAIL_CAPTURE: 'true' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      `Cannot start: the database postgres://app:***@127.0.0.1:${port}/advocate is unreachable or could not be migrated (connect ECONNREFUSED 127.0.0.1:${port}) — check DATABASE_URL, that the database server is running and that this user may create tables`,
    ]);
    expect(res.stderr + res.stdout).not.toContain('hunter2');
  });

  if (DIALECTS.includes('postgres')) {
    it('captures mail on PostgreSQL only when told to, says so at start and in /health; SIGTERM to npm stops it cleanly', async () => {
      const schema = await freshPostgresSchema();
      const port = await freePort();
      try {
        const server = await startProcess('npm', ['run', '--silent', 'start'], {
          env: { DATABASE_URL: schema.url, ADMIN_TOKEN: 'startup-admin-token-0123', SECRET_KEY: KEY, MAIL_CAPTURE: 'true', PORT: String(port) },
          ready: /"msg":"advocate-rules listening"/,
          readyMs: 60_000,
          what: 'npm start',
        });
        const warning = server.output().split('\n').find((line) => line.includes('"level":"warn"'));
        expect(JSON.parse(warning!).msg).toMatch(/^MAIL_CAPTURE=true: emails are stored and marked sent but never delivered/);
        const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
        expect(health).toEqual({ status: 'ok', dialect: 'postgres', warnings: [expect.stringMatching(/^MAIL_CAPTURE=true/)] });

        // To npm's process only, as systemd or a container runtime sends it: npm hands it to the server.
        process.kill(server.child.pid!, 'SIGTERM');
        await server.exited;
        expect(server.child.exitCode, server.output()).toBe(0);
        const lines = server.output().split('\n');
        expect(lines.filter((line) => line.includes('"msg":"advocate-rules stopped"'))).toHaveLength(1);
        // The access log (written a turn of the event loop at a time) has the request's line, whole.
        expect(lines.filter((line) => line.includes('"msg":"request"')).map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ route: '/health', status: 200 })]);
        // Nothing left behind: the port is free again.
        await expect(fetch(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();
      } finally {
        await schema.drop();
      }
    });
  }
});
