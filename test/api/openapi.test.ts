import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, ADMIN_TOKEN, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { checkExchanges } from '../support/openapi-check.ts';
import { openApiPath } from '../../runtime/openapi/build-document.ts';
import { openApiDocument } from '../../runtime/openapi/document.ts';
import { rulesJsonSchema } from '../../rules/json-schema.ts';
import { signPayload } from '../../runtime/security/webhook-signature.ts';
import { referralRules } from './fixtures.ts';

const root = new URL('../../', import.meta.url);
const OPERATIONS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** The console (/admin) is HTML for people, signed in with a session: not part of the API. */
const isApi = (path: string) => !path.startsWith('/admin');

describe('the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(() => h.close());

  it('is served at /openapi.json and is a valid OpenAPI 3.1 document', async () => {
    const res = await h.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the app registers, and no route it does not', () => {
    const registered = new Set(h.app.routes.filter((r) => OPERATIONS.has(r.method) && isApi(r.path)).map((r) => `${r.method} ${openApiPath(r.path)}`));
    const paths = (openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths;
    const described = new Set(Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...registered].filter((r) => !described.has(r)), 'registered but not described: add a RouteDoc next to the route and list it in runtime/openapi/route-docs.ts').toEqual([]);
    expect([...described].filter((r) => !registered.has(r)), 'described but not registered').toEqual([]);
    expect(registered.size).toBeGreaterThan(40);
  });

  it('gives every operation its auth and the error shape', () => {
    const doc = openApiDocument() as any;
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        expect(Array.isArray(op.security), `${method} ${path} security`).toBe(true);
        // /readyz answers 503 with its checks: a probe's answer a load balancer reads, not an error.
        const errors = Object.entries<any>(op.responses).filter(([status]) => Number(status) >= 400 && !(path === '/readyz' && status === '503'));
        for (const [, r] of errors) expect(r.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
        if (path.startsWith('/v1/') && !path.startsWith('/v1/webhooks') && op.security.length > 0) expect(op.responses['401']).toBeDefined();
      }
    }
    expect(doc.paths['/v1/tenants'].post.security).toEqual([{ operatorToken: [] }]);
    expect(doc.paths['/v1/programs'].post.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/v1/webhooks/{tenantId}/programs/{programId}/events'].post.security).toEqual([{ webhookSignature: [] }]);
    expect(doc.paths['/v1/verification/confirm'].post.security).toEqual([]);
    // Request bodies come from the routes' own valibot schemas.
    expect(doc.paths['/v1/programs'].post.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false });
  });

  it('is the same as docs/openapi.json, docs/rules.schema.json and client/openapi-types.ts (run `npm run openapi` after changing a route)', async () => {
    expect(JSON.parse(readFileSync(new URL('docs/openapi.json', root), 'utf8'))).toEqual(openApiDocument());
    expect(JSON.parse(readFileSync(new URL('docs/rules.schema.json', root), 'utf8'))).toEqual(rulesJsonSchema());
    const types = astToString(await openapiTS(openApiDocument() as never, { alphabetize: false }));
    expect(readFileSync(new URL('client/openapi-types.ts', root), 'utf8')).toContain(types);
    const served = await h.app.request('/schemas/rules.json');
    expect(served.headers.get('content-type')).toContain('application/schema+json');
    expect(await served.json()).toEqual(rulesJsonSchema());
  });
});

describe.each(DIALECTS)('answers match the document on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('for a tour of the API, successes and errors', async () => {
    const tenant = await h.tenant();
    const token = tenant.apiKey;
    await h.request('GET', '/health');
    await h.request('POST', '/v1/tenants', { body: { name: 'x' } });
    await h.request('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: '' } });
    const program = await h.request('POST', '/v1/programs', { token, body: { name: 'Friends' } });
    const pid = program.body.id;
    await h.request('GET', '/v1/programs', { token });
    await h.request('GET', `/v1/programs/${pid}`, { token });
    await h.request('GET', '/v1/programs/nope', { token });
    await h.request('PATCH', `/v1/programs/${pid}`, { token, body: { settings: { timeZone: 'America/New_York' } } });
    await h.request('GET', `/v1/programs/${pid}/rules`, { token });
    await h.request('PUT', `/v1/programs/${pid}/rules`, { token, body: { rules: [{ name: 'x' }] } });
    await h.request('PUT', `/v1/programs/${pid}/rules`, { token, body: referralRules });
    await h.request('PUT', `/v1/programs/${pid}/rules`, { token, body: referralRules });
    await h.request('GET', `/v1/programs/${pid}/rules`, { token });
    await h.request('GET', `/v1/programs/${pid}/rules/versions`, { token });
    await h.request('GET', `/v1/programs/${pid}/rules/versions/1`, { token });
    await h.request('POST', `/v1/programs/${pid}/rules/rollback`, { token, body: { version: 1 } });
    await h.request('GET', `/v1/programs/${pid}/templates`, { token });
    await h.request('PUT', `/v1/programs/${pid}/templates/welcome`, { token, body: { subject: 'Hi {{ participant.firstName }}', html: '<p>Hi</p>', text: 'Hi' } });
    await h.request('POST', `/v1/programs/${pid}/templates/welcome/preview`, { token, body: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' } });
    await h.request('PUT', '/v1/participants/alice', { token, body: { email: 'alice@example.com', firstName: 'Alice', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/alice', { token, body: { email: 'alice@example.com', firstName: 'Alice', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/bob', { token, body: { email: 'bob@example.com', referredBy: 'alice' } });
    await h.request('PUT', '/v1/participants/carol', { token, body: { email: 'not an address' } });
    await h.request('GET', '/v1/participants/alice', { token });
    await h.request('GET', `/v1/participants/alice?programId=${pid}`, { token });
    const event = { id: 'order-1', type: 'purchase', participantId: 'bob', data: { amount: 80 } };
    await h.request('POST', `/v1/programs/${pid}/events`, { token, body: event });
    await h.request('POST', `/v1/programs/${pid}/events`, { token, body: event });
    await h.request('POST', `/v1/programs/${pid}/events`, { token, body: { ...event, type: 'signup' } });
    await h.request('POST', `/v1/programs/${pid}/events`, { token, body: '{"id":' });
    const raw = JSON.stringify({ id: 'order-2', type: 'signup', participantId: 'bob' });
    await h.request('POST', `/v1/webhooks/${tenant.id}/programs/${pid}/events`, { body: raw, headers: { 'x-advocate-signature': await signPayload(tenant.webhookSecret, raw, h.clock.now()) } });
    await h.request('POST', `/v1/webhooks/${tenant.id}/programs/${pid}/events`, { body: raw, headers: { 'x-advocate-signature': 't=1,v1=00' } });
    await h.request('POST', `/v1/programs/${pid}/evaluate`, { token, body: { type: 'purchase', participantId: 'bob', data: { amount: 20 } } });
    const rewards = await h.request('GET', '/v1/participants/alice/rewards', { token });
    await h.request('POST', `/v1/rewards/${rewards.body.rewards[0].id}/cancel`, { token });
    await h.services.dispatcher.drain();
    const emails = await h.request('GET', '/v1/emails?limit=1', { token });
    await h.request('GET', `/v1/emails?before=${encodeURIComponent(emails.body.next)}`, { token });
    await h.request('GET', `/v1/emails/${emails.body.emails[0].id}`, { token });
    await h.request('POST', `/v1/emails/${emails.body.emails[0].id}/retry`, { token });
    await h.request('POST', '/v1/participants/bob/verification', { token, body: {} });
    await h.request('POST', '/v1/verification/confirm', { body: { token: 'nope' } });
    await h.request('PUT', '/v1/participants/bob/password', { token, body: { password: 'correct horse battery' } });
    await h.request('POST', '/v1/microsite/login', { body: { tenantId: tenant.id, email: 'bob@example.com', password: 'correct horse battery' } });
    await h.request('POST', '/v1/microsite/login', { body: { tenantId: tenant.id, email: 'bob@example.com', password: 'wrong' } });
    await h.request('POST', '/v1/password-reset', { body: { tenantId: tenant.id, email: 'bob@example.com' } });
    await h.request('POST', '/v1/password-reset/confirm', { body: { token: 'nope', password: 'another long password' } });
    await h.request('GET', '/v1/settings/email', { token });
    await h.request('PUT', '/v1/settings/email/notifications', { token, body: { reward: false } });
    await h.request('PUT', '/v1/settings/email/reply-to', { token, body: { replyTo: 'help@example.com' } });
    await h.request('PUT', '/v1/settings/email/domain', { token, body: { domain: 'mail.example.com', fromAddress: 'hello@mail.example.com' } });
    await h.request('POST', '/v1/settings/email/smtp/test', { token, body: { to: 'x@example.com' } });
    await h.request('DELETE', '/v1/settings/email/smtp', { token });
    await h.request('GET', '/openapi.json');

    const statuses = new Set(h.recorded.map((x) => x.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 201, 202, 400, 401, 404, 409, 422]));
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
