import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referralRules } from '../api/fixtures.ts';
import { startRuntime, type RunningRuntime } from './runtime-process.ts';

// What only the Workers deployment has: the built-in sender through
// Cloudflare Email Service (a `send_email` binding named EMAIL and no
// BUILTIN_SMTP_URL; wrangler's local mode simulates the binding and prints
// each message), and Connect's refusal of port 25, which Workers cannot reach.

const ADMIN_TOKEN = 'scenario-admin-token-0123456789';

describe('the Worker platform on workerd', () => {
  let server: RunningRuntime;
  beforeAll(async () => {
    server = await startRuntime(
      'workerd',
      // An https PUBLIC_URL, so the thank-you email (an email action) goes with List-Unsubscribe headers, which the binding must take.
      { ADMIN_TOKEN, SECRET_KEY: 'c2NlbmFyaW8ta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0', MAIL_FROM: 'rewards@refer.example.com', PUBLIC_URL: 'https://refer.example.com' },
      ['--config', 'test/runtime/wrangler-send-email.toml', '--persist-to', mkdtempSync(join(tmpdir(), 'advocate-workerd-email-'))],
    );
  }, 120_000);
  afterAll(() => server?.stop());

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, ...((await res.json()) as any) };
  };

  it('sends the built-in mail through the send_email binding and logs it as sent', async () => {
    const { apiKey } = await call('POST', '/v1/tenants', ADMIN_TOKEN, { name: 'Acme' });
    const program = await call('POST', '/v1/programs', apiKey, { name: 'Friends' });
    await call('PUT', `/v1/programs/${program.id}/rules`, apiKey, referralRules);
    await call('PUT', '/v1/participants/bob', apiKey, { email: 'bob@example.com', firstName: 'Bob' });
    await call('POST', `/v1/programs/${program.id}/events`, apiKey, { id: 'signup-1', type: 'signup', participantId: 'bob' });

    let emails: any[] = [];
    for (let i = 0; i < 100 && !(emails.length === 2 && emails.every((e) => e.status === 'sent')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      emails = (await call('GET', '/v1/emails', apiKey)).emails;
    }
    expect(emails.map((e) => [e.status, e.sender])).toEqual([
      ['sent', 'builtin'],
      ['sent', 'builtin'],
    ]);
    for (const email of emails) expect(email.lastResponse).toMatch(/^accepted by Cloudflare Email Service as /);
    expect(server.output()).toMatch(/send_email binding called with MessageBuilder:\s*From: "?Acme"? <rewards@refer\.example\.com>\s*To: bob@example\.com/);
  });

  it("refuses a tenant's SMTP server on port 25 at Connect, saying why", async () => {
    const { apiKey } = await call('POST', '/v1/tenants', ADMIN_TOKEN, { name: 'Port 25' });
    // A public address, so the SMTP guard lets it through and the Workers limit is what answers; nothing is dialled.
    const res = await call('PUT', '/v1/settings/email/smtp', apiKey, { host: '198.41.0.4', port: 25, security: 'none' });
    expect(res.status).toBe(422);
    expect(res.error).toMatchObject({ code: 'smtp_refused', details: [{ pointer: '/port' }] });
    expect(res.error.message).toMatch(/Cloudflare Workers cannot connect to port 25.*Use port 587 \(STARTTLS\) or 465 \(SSL\/TLS\)/);
  });
});
