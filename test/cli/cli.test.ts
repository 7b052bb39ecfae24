import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The installed command, run as a user would: a real process, real files.
const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/advocate-rules.js');

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ADVOCATE_RULES_FROM_SOURCE: '1', ...env }, cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'advocate-cli-'));
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

const rules = {
  rules: [
    {
      name: 'big-purchase',
      conditions: { all: [{ fact: 'event', path: '$.data.amount', operator: 'greaterThan', value: 100 }, { fact: 'participant', path: '$.countryCode', operator: 'in', value: ['US'] }] },
      event: { type: 'reward', params: { kind: 'cash', amount: 10 } },
    },
  ],
};

describe('advocate-rules CLI', () => {
  it('prints its help', async () => {
    const res = await cli(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('rules test <file> --event <json-file>');
  });

  it('validates a good file and refuses a bad one with pointers and exit code 1', async () => {
    expect((await cli(['rules', 'validate', file('good.json', rules)])).code).toBe(0);
    const bad = await cli(['rules', 'validate', file('bad.json', { rules: [{ ...rules.rules[0], event: { type: 'reward', params: { kind: 'cash', amount: 1.234 } } }] })]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('#/rules/0/event/params/amount');
  });

  it('dry-runs rules against an event and a participant', async () => {
    const res = await cli(['rules', 'test', file('r.json', rules), '--event', file('e.json', { type: 'purchase', data: { amount: 150 } }), '--participant', file('p.json', { countryCode: 'US' })]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.fired).toEqual([{ rule: 'big-purchase', action: 'reward' }]);
    expect(out.rules[0].conditions.children[0]).toMatchObject({ factValue: 150, result: 'pass' });
  });

  it('stops a rule whose cost grows with the event, naming the condition, with exit code 1', async () => {
    const bomb = {
      rules: [
        {
          name: 'bomb',
          conditions: { all: [{ fact: 'event', path: '$.data.a', operator: 'someFact:someValue:equal', value: { fact: 'event', path: '$.data.b' } }] },
          event: { type: 'reward', params: { kind: 'cash', amount: 10 } },
        },
      ],
    };
    const data = { a: Array.from({ length: 100_000 }, () => 0), b: Array.from({ length: 100_000 }, () => 1) };
    const res = await cli(['rules', 'test', file('bomb.json', bomb), '--event', file('bomb-event.json', { type: 'purchase', data })]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('#/rules/0/conditions/all/0');
    expect(res.stderr).toContain('budget');
    expect(res.stdout).toBe('');
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli(['rules', 'test', file('r2.json', rules)])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });

  it('migrates and creates a tenant on a SQLite file', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'data', 'cli.db')}` };
    expect((await cli(['migrate'], env)).stdout).toContain('applied');
    expect((await cli(['migrate'], env)).stdout).toContain('up to date');
    const created = await cli(['tenants', 'create', 'Acme'], env);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'Acme', apiKey: expect.stringMatching(/^ar_/) });
  });

  it('prints a fresh key for SECRET_KEY', async () => {
    const [a, b] = await Promise.all([cli(['secret-key']), cli(['secret-key'])]);
    expect(a.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('re-encrypts the stored secrets under a new SECRET_KEY', async () => {
    const oldKey = (await cli(['secret-key'])).stdout.trim();
    const newKey = (await cli(['secret-key'])).stdout.trim();
    const env = { DATABASE_URL: `sqlite:${join(dir, 'rewrap', 'cli.db')}`, ADMIN_TOKEN: 'cli-admin-token-0123456789' };
    expect((await cli(['tenants', 'create', 'One'], { ...env, SECRET_KEY: oldKey })).code).toBe(0);
    expect((await cli(['tenants', 'create', 'Two'], { ...env, SECRET_KEY: oldKey })).code).toBe(0);
    const first = await cli(['secrets', 'rewrap'], { ...env, SECRET_KEY: newKey, SECRET_KEY_PREVIOUS: oldKey });
    expect([first.code, first.stdout.trim()]).toEqual([0, expect.stringMatching(/^re-encrypted 2 secret\(s\) under key \S+; 0 already under it$/)]);
    const again = await cli(['secrets', 'rewrap'], { ...env, SECRET_KEY: newKey });
    expect(again.stdout).toMatch(/re-encrypted 0 secret\(s\) .*; 2 already under it/);
  });

  it('says in one line when the database is unreachable', async () => {
    const res = await cli(['migrate'], { DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/advocate' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Cannot start: the database postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/advocate is unreachable/)]);
  });
});
