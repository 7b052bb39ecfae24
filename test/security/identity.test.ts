import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailHarness, type MailHarness } from '../support/mail-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { saveEmailSettings } from '../../runtime/store/email-settings-queries.ts';
import { generateDkimKeyPair } from '../../plugins/mail/dkim.ts';

// Mail identity as a hostile tenant tries it: a From address whose text after
// the first '@' is the tenant's domain while the mailbox is at another one,
// so the message would go out From that domain with the tenant's DKIM key.

const DOMAIN = 'mail.acme.test';
const MAIL_FROM = 'notifications@refer.example.com';
// Each is one mailbox at evil.test whose `split('@')[1]` is the tenant's domain.
const SPOOFS = [`"x@${DOMAIN}@"@evil.test`, `"n@${DOMAIN}@x" <a@evil.test>`, `(x@${DOMAIN}@) a@evil.test`];

describe.each(DIALECTS)('mail identity on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let tenantId: string;
  let programId: string;
  let events = 0;

  beforeAll(async () => {
    h = await createMailHarness(dialect, { env: { MAIL_FROM, MAIL_RATE_PER_SECOND: '1000' } });
    ({ id: tenantId, apiKey: key } = await h.tenant('Acme'));
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    const rules = { rules: [{ name: 'hello', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'hello' } } } }] };
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rules })).status).toBe(200);
    expect((await h.request('PUT', '/v1/participants/p1', { token: key, body: { email: 'p1@example.com' } })).status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(SPOOFS)('refuses the From address %s for the domain, storing nothing', async (fromAddress) => {
    const res = await h.request('PUT', '/v1/settings/email/domain', { token: key, body: { domain: DOMAIN, fromAddress } });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ pointer: '/fromAddress', message: `must be an address at ${DOMAIN}` }]);
    expect((await h.request('GET', '/v1/settings/email', { token: key })).body.domain).toBeNull();
  });

  it('accepts a quoted local part that holds an @ when the mailbox is at the domain', async () => {
    const res = await h.request('PUT', '/v1/settings/email/domain', { token: key, body: { domain: DOMAIN, fromAddress: `"a@evil.test"@${DOMAIN.toUpperCase()}` } });
    expect(res.status).toBe(200);
    expect(res.body.domain.fromAddress).toBe(`"a@evil.test"@${DOMAIN.toUpperCase()}`);
  });

  it('never signs a spoofed From stored before the check: the mail goes out From MAIL_FROM, unsigned', async () => {
    const keys = await generateDkimKeyPair();
    await saveEmailSettings(
      h.services.store.db,
      tenantId,
      {
        domain: DOMAIN,
        domain_from: SPOOFS[0],
        dkim_selector: 'ar1',
        dkim_private_sealed: await h.services.secrets.seal(keys.privateKeyPem, { tenantId, field: 'dkim_private' }),
        dkim_public: keys.publicKeyBase64,
        domain_status: 'verified',
        domain_verified_at: h.clock.now().toISOString(),
      },
      h.clock.now().toISOString(),
    );
    h.services.senders.forget?.(tenantId);
    const before = (await h.delivered()).length;
    expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `e${++events}`, type: 'x', participantId: 'p1' } })).status).toBe(201);
    const got = (await h.delivered()).slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].headers.from).toMatch(/<notifications@refer\.example\.com>$/);
    expect(got[0].headers['dkim-signature']).toBeUndefined();
  });
});
