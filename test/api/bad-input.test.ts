import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

// "Bad input gets a clear error, never a 500": every JSON route, fed bodies
// of the wrong shape, answers 4xx in the one error shape.

const BODIES: unknown[] = [
  [],
  'text',
  42,
  null,
  { id: 5, type: [], participantId: {}, data: 'x', email: 7, rules: 'x', name: { a: 1 } },
  { rules: [null, 1, 'x', { conditions: 5 }] },
  { id: 'x'.repeat(5000), type: 'x'.repeat(5000), participantId: 'p1', email: `${'a'.repeat(300)}@example.com` },
  { id: 'e-nul', type: 'a\u0000b', participantId: 'p1', name: 'x\u0000', email: 'p1@example.com', subject: '\u0000', rules: [{ name: '\u0000' }] },
  { host: '', port: 'x', security: 'maybe', to: 'a@b', domain: '..', version: 'one', token: {}, password: 1 },
];

describe.each(DIALECTS)('bad input on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let routes: [string, string][];

  beforeAll(async () => {
    h = await createHarness(dialect);
    const tenant = await h.tenant();
    key = tenant.apiKey;
    const program = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token: key, body: { email: 'p1@example.com' } });
    routes = [
      ['POST', '/v1/programs'],
      ['PATCH', `/v1/programs/${program}`],
      ['PUT', `/v1/programs/${program}/rules`],
      ['POST', `/v1/programs/${program}/rules/rollback`],
      ['POST', `/v1/programs/${program}/evaluate`],
      ['PUT', `/v1/programs/${program}/templates/reward`],
      ['POST', `/v1/programs/${program}/templates/reward/preview`],
      ['POST', `/v1/programs/${program}/events`],
      ['PUT', '/v1/participants/p1'],
      ['PUT', '/v1/participants/p1/password'],
      ['POST', '/v1/participants/p1/verification'],
      ['POST', '/v1/verification/confirm'],
      ['POST', '/v1/microsite/login'],
      ['POST', '/v1/password-reset'],
      ['POST', '/v1/password-reset/confirm'],
      ['PUT', '/v1/settings/email/smtp'],
      ['POST', '/v1/settings/email/smtp/test'],
      ['PUT', '/v1/settings/email/notifications'],
      ['PUT', '/v1/settings/email/reply-to'],
      ['PUT', '/v1/settings/email/domain'],
      ['POST', `/v1/webhooks/${tenant.id}/programs/${program}/events`],
      ['POST', '/v1/tenants'],
    ];
  });
  afterAll(() => h.close());

  it('answers every malformed body with a 4xx in the error shape', async () => {
    for (const [method, path] of routes) {
      for (const body of BODIES) {
        const res = await h.request(method, path, { token: key, body: JSON.stringify(body) });
        expect(res.status, `${method} ${path} ${JSON.stringify(body).slice(0, 80)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${path} ${JSON.stringify(body).slice(0, 80)}`).toBeLessThan(500);
        expect(res.body.error, `${method} ${path}`).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }
      // An empty object is a valid partial update for some routes; it must never be a 500.
      expect((await h.request(method, path, { token: key, body: '{}' })).status, `${method} ${path} {}`).toBeLessThan(500);
    }
  });

  it('answers unknown ids and odd path segments with 4xx', async () => {
    for (const path of ['/v1/programs/%00', '/v1/programs/x/rules/versions/0', '/v1/emails/%E2%80%AE', '/v1/participants/' + 'z'.repeat(3000), '/v1/rewards/nope/cancel']) {
      const res = await h.request(path.endsWith('cancel') ? 'POST' : 'GET', path, { token: key });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
  });
});
