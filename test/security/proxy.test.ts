import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { createApp } from '../../runtime/app.ts';
import { parseConfig } from '../../runtime/config.ts';
import { freePort } from '../../runtime/node/free-port.ts';
import { nodePeerAddress } from '../../runtime/node/peer-address.ts';
import { clientAddress, parseTrustProxy, viaTrustedProxy } from '../../runtime/security/trusted-proxy.ts';

// Clients are who the operator says: forwarded-address headers count only
// when TRUST_PROXY names the proxy that wrote them; otherwise the socket's
// peer is the client. Over a real HTTP server (the Node entry's peer lookup),
// because only a socket has a peer.

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('TRUST_PROXY: the header walk', () => {
  const proxies = parseTrustProxy('10.0.0.0/8, 192.168.1.1, ::1, fd00::/8');

  it('ignores every forwarded header when off (the default)', () => {
    const off = parseTrustProxy(undefined);
    expect(off).toEqual({ kind: 'off' });
    expect(clientAddress(off, '198.51.100.7', headers({ 'x-forwarded-for': '1.2.3.4', 'cf-connecting-ip': '5.6.7.8' }))).toBe('198.51.100.7');
    expect(clientAddress(off, null, headers({ 'x-forwarded-for': '1.2.3.4' }))).toBeNull();
    expect(viaTrustedProxy(off, '127.0.0.1')).toBe(false);
  });

  it('takes CF-Connecting-IP with cloudflare, and the peer when it is missing or not an address', () => {
    const cf = parseTrustProxy('cloudflare');
    expect(clientAddress(cf, '172.64.0.1', headers({ 'cf-connecting-ip': '203.0.113.9', 'x-forwarded-for': '1.2.3.4' }))).toBe('203.0.113.9');
    expect(clientAddress(cf, '172.64.0.1', headers({}))).toBe('172.64.0.1');
    expect(clientAddress(cf, '172.64.0.1', headers({ 'cf-connecting-ip': 'not an address' }))).toBe('172.64.0.1');
  });

  it('walks X-Forwarded-For from the right past trusted proxies to the first untrusted hop', () => {
    // The client wrote "6.6.6.6"; our outer proxy saw 203.0.113.5 and our inner one saw the outer proxy.
    expect(clientAddress(proxies, '10.0.0.2', headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 192.168.1.1' }))).toBe('203.0.113.5');
    expect(clientAddress(proxies, '10.0.0.2', headers({ 'x-forwarded-for': '203.0.113.5' }))).toBe('203.0.113.5');
    // Every hop trusted: the leftmost is as far as we can see.
    expect(clientAddress(proxies, '10.0.0.2', headers({ 'x-forwarded-for': '10.1.1.1, 10.2.2.2' }))).toBe('10.1.1.1');
    // No header from a trusted proxy: the proxy itself.
    expect(clientAddress(proxies, '10.0.0.2', headers({}))).toBe('10.0.0.2');
    // Garbage is never a proxy's: the walk stops at the last address it trusted the writer of.
    expect(clientAddress(proxies, '10.0.0.2', headers({ 'x-forwarded-for': 'evil, 10.3.3.3' }))).toBe('10.3.3.3');
  });

  it('ignores X-Forwarded-For and CF-Connecting-IP from a peer that is not a trusted proxy', () => {
    expect(clientAddress(proxies, '203.0.113.77', headers({ 'x-forwarded-for': '1.2.3.4', 'cf-connecting-ip': '5.6.7.8' }))).toBe('203.0.113.77');
    expect(clientAddress(proxies, '10.0.0.2', headers({ 'cf-connecting-ip': '5.6.7.8' }))).toBe('10.0.0.2');
    expect(viaTrustedProxy(proxies, '10.9.9.9')).toBe(true);
    expect(viaTrustedProxy(proxies, '11.0.0.1')).toBe(false);
    expect(viaTrustedProxy(proxies, null)).toBe(false);
  });

  it('matches IPv4-mapped IPv6 peers and hops as IPv4, and IPv6 ranges', () => {
    expect(clientAddress(proxies, '::ffff:10.0.0.2', headers({ 'x-forwarded-for': '::ffff:203.0.113.5' }))).toBe('203.0.113.5');
    expect(clientAddress(proxies, '::1', headers({ 'x-forwarded-for': '2001:db8::1, fd00::2' }))).toBe('2001:db8::1');
    expect(clientAddress(parseTrustProxy('off'), '::ffff:198.51.100.7', headers({}))).toBe('198.51.100.7');
    expect(clientAddress(parseTrustProxy('::ffff:10.0.0.0/104'), '10.1.1.1', headers({ 'x-forwarded-for': '203.0.113.5' }))).toBe('203.0.113.5');
  });

  it('refuses a TRUST_PROXY that is neither off, cloudflare nor addresses, naming the variable', () => {
    const env = { ADMIN_TOKEN: 'x'.repeat(20), SECRET_KEY: 'k'.repeat(43) };
    for (const bad of ['cloudflar', '10.0.0.0/33', '10.0.0.1, nonsense', 'true', '::ffff:0.0.0.0/80']) {
      expect(() => parseConfig({ ...env, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY must be off, cloudflare, or a comma-separated list/);
    }
    expect(parseConfig({ ...env, TRUST_PROXY: '127.0.0.1/8,::1' }).TRUST_PROXY.kind).toBe('proxies');
  });
});

/** The real app on a real socket, with the Node entry's peer lookup. */
async function listen(h: Harness): Promise<{ url: string; server: ServerType }> {
  const app = createApp(h.services, { peerAddress: nodePeerAddress });
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.each(DIALECTS)('per-client limits over a real HTTP server on %s', (dialect) => {
  const RESET_PER_CLIENT = 20;
  let off: { h: Harness; url: string; server: ServerType; tenantId: string };
  let behind: { h: Harness; url: string; server: ServerType; tenantId: string };
  let n = 0;

  const start = async (env: Record<string, string>) => {
    const h = await createHarness(dialect, { env });
    const tenantId = (await h.tenant('Acme')).id;
    return { h, tenantId, ...(await listen(h)) };
  };
  const reset = (s: typeof off, extra: Record<string, string>) =>
    fetch(`${s.url}/v1/password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...extra },
      // A new address each time, so only the per-client limit can answer 429.
      body: JSON.stringify({ tenantId: s.tenantId, email: `nobody-${++n}@example.com` }),
    });

  beforeAll(async () => {
    off = await start({});
    behind = await start({ TRUST_PROXY: '127.0.0.1/8' });
  });
  afterAll(async () => {
    for (const s of [off, behind]) {
      if (!s) continue;
      await new Promise((resolve) => s.server.close(resolve));
      await s.h.close();
    }
  });

  it('does not let forged X-Forwarded-For or CF-Connecting-IP escape the limit when TRUST_PROXY is off', async () => {
    for (let i = 0; i < RESET_PER_CLIENT; i++) {
      const forged = { 'x-forwarded-for': `198.51.100.${i}`, 'cf-connecting-ip': `203.0.113.${i}` };
      expect((await reset(off, forged)).status).toBe(202);
    }
    const limited = await reset(off, { 'x-forwarded-for': '198.51.100.200', 'cf-connecting-ip': '203.0.113.200' });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await reset(off, {})).status).toBe(429);
  });

  it('counts the address a trusted proxy forwarded, and only that one', async () => {
    const from = (client: string, forgedLeft = '') => ({ 'x-forwarded-for': forgedLeft ? `${forgedLeft}, ${client}` : client });
    for (let i = 0; i < RESET_PER_CLIENT; i++) expect((await reset(behind, from('203.0.113.50', `6.6.6.${i}`))).status).toBe(202);
    // What the client wrote to the left of our proxy's entry changes nothing.
    expect((await reset(behind, from('203.0.113.50', '6.6.6.250'))).status).toBe(429);
    expect((await reset(behind, { 'cf-connecting-ip': '203.0.113.51', ...from('203.0.113.50') })).status).toBe(429);
    // Another forwarded client has its own allowance, and so does the proxy itself.
    expect((await reset(behind, from('203.0.113.51'))).status).toBe(202);
    expect((await reset(behind, {})).status).toBe(202);
  });

  it('believes X-Forwarded-Proto only from a trusted proxy (the console cookie is Secure only then)', async () => {
    const preCookie = async (s: typeof off) =>
      (await fetch(`${s.url}/admin/sign-in`, { headers: { 'x-forwarded-proto': 'https' } })).headers.getSetCookie().find((c) => c.startsWith('ar_admin_pre='));
    expect(await preCookie(off)).not.toMatch(/; Secure/);
    expect(await preCookie(behind)).toMatch(/; Secure/);
  });
});
