import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type RunningRuntime, type RuntimeName } from '../runtime/runtime-process.ts';

// The runtime-specific halves of the hostile-client suite, on each runtime
// started the way an operator starts it: each entry reports the connection's
// peer to the app (Node's socket, Deno.serve's info, CF-Connecting-IP on
// Workers), so forged X-Forwarded-For headers do not escape the per-client
// limit; and sign-out ends the session on every store (SQLite, D1).

const ADMIN_TOKEN = 'proxy-admin-token-0123456789';
const SECRET_KEY = 'cHJveHktdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0tLS0';
const RESET_PER_CLIENT = 20;

const TARGETS: { runtime: RuntimeName; env: () => Record<string, string>; args?: () => string[] }[] = [
  { runtime: 'node', env: () => ({ DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'advocate-proxy-')), 'a.db')}` }) },
  { runtime: 'deno', env: () => ({ DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'advocate-proxy-')), 'a.db')}` }) },
  { runtime: 'workerd', env: () => ({}), args: () => ['--persist-to', mkdtempSync(join(tmpdir(), 'advocate-proxy-workerd-'))] },
];

describe.each(TARGETS)('clients and sessions on $runtime, started with its npm script', (target) => {
  let server: RunningRuntime;
  let tenantId: string;
  let apiKey: string;

  beforeAll(async () => {
    server = await startRuntime(target.runtime, { ADMIN_TOKEN, SECRET_KEY, ...target.env() }, target.args?.() ?? []);
    const res = await fetch(`${server.baseUrl}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme' }),
    });
    expect(res.status).toBe(201);
    ({ id: tenantId, apiKey } = (await res.json()) as { id: string; apiKey: string });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('is the connection, not a forged X-Forwarded-For', async () => {
    const reset = (i: number) =>
      fetch(`${server.baseUrl}/v1/password-reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
        body: JSON.stringify({ tenantId, email: `nobody-${i}@example.com` }),
      });
    for (let i = 0; i < RESET_PER_CLIENT; i++) expect((await reset(i)).status, server.output()).toBe(202);
    expect((await reset(RESET_PER_CLIENT)).status, server.output()).toBe(429);
  }, 60_000);

  it('refuses a copied console cookie after sign-out', async () => {
    const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(';')[0];
    const csrfOf = async (res: Response) => /name="_csrf" value="([^"]+)"/.exec(await res.text())![1];
    const form = (cookie: string, fields: Record<string, string>) => ({
      method: 'POST',
      redirect: 'manual' as const,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    const page = await fetch(`${server.baseUrl}/admin/sign-in`);
    const signIn = await fetch(`${server.baseUrl}/admin/sign-in`, form(cookieOf(page, 'ar_admin_pre')!, { _csrf: await csrfOf(page), apiKey }));
    expect(signIn.status, server.output()).toBe(303);
    const cookie = cookieOf(signIn, 'ar_admin')!;
    const settings = await fetch(`${server.baseUrl}/admin/settings/notifications`, { headers: { cookie }, redirect: 'manual' });
    expect(settings.status).toBe(200);
    const signOut = await fetch(`${server.baseUrl}/admin/sign-out`, form(cookie, { _csrf: await csrfOf(settings) }));
    expect(signOut.status).toBe(303);
    const copied = await fetch(`${server.baseUrl}/admin/settings`, { headers: { cookie }, redirect: 'manual' });
    expect(copied.status).toBe(303);
    expect(copied.headers.get('location')).toBe('/admin/sign-in?next=%2Fadmin%2Fsettings');
  }, 60_000);
});
