import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { freePort } from '../../runtime/node/free-port.ts';

// The signing samples of docs/webhooks.md (sh with openssl and curl, Python,
// JavaScript), run as written against the API over real HTTP. The clock starts
// at the real time: the samples sign with the machine's clock.

const run = promisify(execFile);
const samples = [...readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8').matchAll(/^```(\w+) webhook\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], code: m[2] }));
const COMMANDS: Record<string, (code: string) => [string, string[]]> = {
  sh: (code) => ['sh', ['-c', code]],
  python: (code) => ['python3', ['-c', code]],
  js: (code) => [process.execPath, ['--input-type=module', '-e', code]],
};

describe('docs/webhooks.md samples', () => {
  let h: Harness;
  let server: ServerType;
  let url: string;
  let secret: string;

  beforeAll(async () => {
    h = await createHarness('sqlite', { start: new Date().toISOString() });
    const tenant = await h.tenant();
    secret = tenant.webhookSecret;
    const program = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'Hooks' } })).body.id;
    await h.request('PUT', '/v1/participants/bob', { token: tenant.apiKey, body: { email: 'bob@example.com' } });
    const port = await freePort();
    server = serve({ fetch: h.app.fetch, port, hostname: '127.0.0.1' });
    url = `http://127.0.0.1:${port}/v1/webhooks/${tenant.id}/programs/${program}/events`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  it('lists one sample per language', () => {
    expect(samples.map((s) => s.lang)).toEqual(['sh', 'python', 'js']);
  });

  for (const [i, lang] of ['sh', 'python', 'js'].entries()) {
    it(`signs an event the API accepts (${lang}), and a wrong secret is refused`, async () => {
      const sample = samples.find((s) => s.lang === lang)!;
      const [command, args] = COMMANDS[lang](sample.code);
      const BODY = JSON.stringify({ id: `hook-${i}`, type: 'signup', participantId: 'bob', data: { note: 'déjà "quoted"' } });
      const ok = await run(command, args, { env: { ...process.env, SECRET: secret, URL: url, BODY } });
      expect(ok.stdout.trim()).toBe('201');
      const wrong = await run(command, args, { env: { ...process.env, SECRET: 'not-the-secret', URL: url, BODY } }).catch((error) => error);
      expect(`${wrong.stdout}${wrong.stderr}`).toMatch(/401/);
    });
  }
});
