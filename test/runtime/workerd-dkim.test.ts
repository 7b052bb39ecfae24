import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess } from './runtime-process.ts';
import { freePort } from '../../runtime/node/free-port.ts';

// On Workers nodemailer still builds and signs every message (its stream
// transport); only the sending is the sockets client's. This runs that part
// inside workerd and checks the signature the way a receiver would.

describe('nodemailer inside workerd', () => {
  let probe: Awaited<ReturnType<typeof startProcess>>;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    const wrangler = new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url).pathname;
    const args = ['dev', '--local', '--config', 'test/runtime/fixtures/wrangler-mime-probe.toml', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'];
    probe = await startProcess(process.execPath, [wrangler, ...args], { env: { WRANGLER_SEND_METRICS: 'false' }, ready: /Ready on http/, readyMs: 90_000, what: 'wrangler dev (mime probe)' });
  }, 120_000);
  afterAll(() => probe?.stop());

  it('builds a message whose DKIM signature (key made with WebCrypto) verifies', async () => {
    const mail = { from: { name: 'Acme', address: 'rewards@acme.example' }, to: 'bob@example.com', subject: 'You earned $25', html: '<p>Thanks</p>', text: 'Thanks\n.\nA line with a dot', messageId: '<m1@acme.example>' };
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(mail) });
    expect(res.status, probe.output().slice(-2000)).toBe(200);
    const { publicKeyBase64, raw } = (await res.json()) as { publicKeyBase64: string; raw: string };
    expect(raw).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256;/);
    expect(raw).toContain('Message-ID: <m1@acme.example>');
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === 'wk1._domainkey.acme.example') return [[`v=DKIM1; k=rsa; p=${publicKeyBase64}`]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const { results } = await dkimVerify(Buffer.from(raw), { resolver });
    expect(results.map((r: { status: { result: string } }) => r.status.result)).toEqual(['pass']);
  });
});
