import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { serveHarness, type HttpServer } from '../support/serve-harness.ts';
import { consoleSession } from '../support/console-session.ts';
import { signPayload } from '../../runtime/security/webhook-signature.ts';
import { MAX_BODY_DEPTH } from '../../runtime/http.ts';
import { MAX_DEPTH } from '../../rules/schema.ts';
import { MAX_VALUE_DEPTH } from '../../rules/json-safety.ts';

// Issue 10, point 3: request parsing is linear and bounded on every route,
// authenticated or not. Attacks go through the Node HTTP server on loopback,
// so a request that blocked the event loop would hold /health up with it.

const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** A body object whose `data` holds `depth - 1` more levels. */
const nestedBody = (depth: number) => `{"id":"e1","type":"signup","participantId":"p1","data":${objects(depth - 1)}}`;

describe.each(DIALECTS)('request parsing on %s', (dialect) => {
  let h: Harness;
  let http: HttpServer;
  let key: string;
  let tenantId: string;
  let webhookSecret: string;
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ apiKey: key, id: tenantId, webhookSecret } = await h.tenant());
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token: key, body: { email: 'p1@example.com' } });
    const rules = { rules: [{ name: 'signup', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'signup' }] }, event: { type: 'reward', params: { kind: 'credit', amount: 5 } } }] };
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rules })).status).toBe(200);
    http = await serveHarness(h);
  });
  afterAll(async () => {
    await http?.close();
    await h?.close();
  });

  const send = async (method: string, path: string, o: { body?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(http.url + path, { method, headers: { 'content-type': 'application/json', ...o.headers }, body: o.body });
    const text = await res.text();
    // The console answers its errors as pages.
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  const post = (path: string, body: string, token: string | null = key) => send('POST', path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });

  /** Every route that takes a body without an API key; the webhook one signed, so its body reaches the parser. */
  const publicPosts = () => [
    { path: '/v1/tenants', headers: async () => ({ authorization: `Bearer ${ADMIN_TOKEN}` }) },
    { path: '/v1/verification/confirm', headers: async () => ({}) },
    { path: '/v1/microsite/login', headers: async () => ({}) },
    { path: '/v1/password-reset', headers: async () => ({}) },
    { path: '/v1/password-reset/confirm', headers: async () => ({}) },
    { path: `/v1/webhooks/${tenantId}/programs/${programId}/events`, headers: async (body: string) => ({ 'x-advocate-signature': await signPayload(webhookSecret, body, h.clock.now()) }) },
  ];

  it('refuses 10k and 100k levels of nesting with 400 on the public routes while /health answers', async () => {
    for (const depth of [10_000, 100_000]) {
      for (const body of [arrays(depth), objects(depth), nestedBody(depth)]) {
        for (const route of publicPosts()) {
          const attack = send('POST', route.path, { body, headers: await route.headers(body) });
          const health = send('GET', '/health');
          const [a, hl] = await Promise.all([attack, health]);
          expect(a.status, `${route.path} at ${depth} levels`).toBe(400);
          expect(a.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining(`deeper than ${MAX_BODY_DEPTH} levels`) });
          expect(hl).toMatchObject({ status: 200, body: { status: 'ok' } });
        }
      }
    }
  });

  it('accepts nesting up to the limit, counts only brackets outside strings, and refuses one level more', async () => {
    const path = `/v1/programs/${programId}/events`;
    const atLimit = await post(path, nestedBody(MAX_BODY_DEPTH).replace('"e1"', '"deep-ok"'));
    expect(atLimit.status).toBe(201);
    const over = await post(path, nestedBody(MAX_BODY_DEPTH + 1).replace('"e1"', '"deep-over"'));
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('bad_request');
    // Brackets and escaped quotes inside strings are text, not nesting.
    const inString = JSON.stringify({ id: 'brackets', type: 'signup', participantId: 'p1', data: { s: '\\"[{'.repeat(1000) } });
    expect((await post(path, inString)).status).toBe(201);
  });

  it('leaves room for the deepest ruleset the validator accepts, so its own message names the field', async () => {
    // Conditions one level past MAX_DEPTH, the innermost holding a constant at MAX_VALUE_DEPTH.
    let value: unknown = 1;
    for (let i = 0; i < MAX_VALUE_DEPTH; i++) value = [value];
    let conditions: unknown = { all: [{ fact: 'event', path: '$.type', operator: 'in', value }] };
    for (let i = 0; i < MAX_DEPTH; i++) conditions = { all: [conditions] };
    const put = await send('PUT', `/v1/programs/${programId}/rules`, {
      body: JSON.stringify({ rules: [{ name: 'deep', conditions, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }] }),
      headers: { authorization: `Bearer ${key}` },
    });
    expect(put.status).toBe(422);
    expect(put.body.error.code).toBe('invalid_rules');
    expect(put.body.error.details[0].message).toMatch(/nest deeper than/);
  });

  it('refuses NUL in a body with 422 and its pointer, in keys and values, authenticated or not', async () => {
    const nulValue = await post(`/v1/programs/${programId}/events`, JSON.stringify({ id: 'n1', type: 'signup', participantId: 'p1', data: { list: ['ok', 'a\u0000b'] } }));
    expect(nulValue.status).toBe(422);
    expect(nulValue.body.error.details).toEqual([{ pointer: '/data/list/1', message: 'must not contain NUL characters' }]);
    const nulKey = await post(`/v1/programs/${programId}/events`, JSON.stringify({ id: 'n2', type: 'signup', participantId: 'p1', data: { 'k\u0000': 1 } }));
    expect(nulKey.status).toBe(422);
    expect(nulKey.body.error.details).toEqual([{ pointer: '/data/k\u0000', message: 'must not contain NUL characters' }]);
    const publicNul = await post('/v1/microsite/login', JSON.stringify({ tenantId, email: 'p1@example.com', password: 'x\u0000' }), null);
    expect(publicNul.status).toBe(422);
    expect(publicNul.body.error.details).toEqual([{ pointer: '/password', message: 'must not contain NUL characters' }]);
  });

  it('refuses NUL in a path or a query string with 400 on every kind of route', async () => {
    const auth = { authorization: `Bearer ${key}` };
    const cases: [string, string, Record<string, string>][] = [
      ['GET', '/v1/programs/%00', auth],
      ['GET', '/v1/emails?status=%00', auth],
      ['GET', '/v1/emails?participantId=p%001&limit=5', auth],
      ['GET', '/v1/emails?%00=x', auth],
      ['GET', `/v1/programs/${programId}/rules?x=%00`, auth],
      ['GET', '/v1/rewards?participantId=%00', auth],
      ['GET', '/health?x=%00', {}],
      ['GET', '/verify?token=%00', {}],
      ['GET', '/reset-password?token=a%00b', {}],
      ['GET', '/admin/sign-in?next=%00', {}],
      ['GET', '/admin/emails?participantId=%00', {}],
      ['POST', '/v1/verification/confirm?x=%00', {}],
      ['POST', `/v1/programs/${programId}/events?x=%00`, auth],
    ];
    for (const [method, path, headers] of cases) {
      const res = await send(method, path, { headers, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.code, path).toBe('bad_request');
    }
    // An encoded percent sign is text, not a NUL.
    expect((await send('GET', '/v1/emails?participantId=%2500', { headers: auth })).status).toBe(200);
  });

  it('reads form posts through one bounded reader that refuses NUL with 400, on the console and the participant pages', async () => {
    const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    for (const path of ['/verify', '/reset-password', '/admin/sign-in']) {
      for (const fields of [{ token: 'a\u0000b', password: 'x', repeat: 'x', _csrf: 'x' }, { 'tok\u0000en': 'x' }] as Record<string, string>[]) {
        const res = await send('POST', path, form(fields));
        expect(res.status, path).toBe(400);
        if (path.startsWith('/admin')) expect(res.body).toContain('must not contain NUL');
        else expect(res.body.error.code, path).toBe('bad_request');
      }
    }
    // Bounded before they are read: 16 KiB on the participant pages, 4 MiB on the console. (In process: the
    // server answers 413 without reading the rest, then drops the connection the next request would reuse.)
    const big = (path: string, size: number) => h.app.request(path, { method: 'POST', ...form({ f: 'x'.repeat(size) }) });
    expect((await big('/verify', 17 * 1024)).status).toBe(413);
    expect((await big('/admin/sign-in', 4 * 1024 * 1024 + 1)).status).toBe(413);
  });

  it('refuses 1e309 and -1e309 in event data with 422 and the pointer, and writes nothing', async () => {
    for (const [raw, pointer] of [
      ['{"amount":1e309}', '/data/amount'],
      ['{"a":[0,{"b":-1e309}]}', '/data/a/1/b'],
    ]) {
      const body = `{"id":"inf","type":"signup","participantId":"p1","data":${raw}}`;
      const res = await post(`/v1/programs/${programId}/events`, body);
      expect(res.status, raw).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ pointer, message: expect.stringContaining('finite') }] });
    }
    // Nothing was recorded under that id: the same id with finite data is a first delivery.
    const ok = await post(`/v1/programs/${programId}/events`, '{"id":"inf","type":"signup","participantId":"p1","data":{"amount":1e308}}');
    expect(ok.status).toBe(201);
    const stored = await h.store.db.selectFrom('events').select('data').where('id', '=', 'inf').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.data)).toEqual({ amount: 1e308 });
  });

  it('the console refuses 1e309 in rules and in a dry-run event at its line, instead of sending it as null', async () => {
    const { cookie, csrf } = await consoleSession(h, key);
    const leaf = '{"fact": "event", "path": "$.data.n", "operator": "lessThan", "value": 1e309}';
    const rules = `{"rules": [{"name": "inf", "conditions": {"all": [\n${leaf}]}, "event": {"type": "reward", "params": {"kind": "credit", "amount": 1}}}]}`;
    const before = (await h.request('GET', `/v1/programs/${programId}/rules`, { token: key })).body.version;
    for (const [path, fields] of [
      ['', { rules }],
      ['/dry-run', { rules, event: '{"type": "signup"}' }],
      ['/dry-run', { rules: '{"rules": []}', event: '{"type": "signup",\n"data": {"n": -1e309}}' }],
    ] as const) {
      const res = await send('POST', `/admin/programs/${programId}/rules${path}`, { body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status, path).toBe(422);
      expect(res.body).toContain('too large');
    }
    // Nothing was saved.
    expect((await h.request('GET', `/v1/programs/${programId}/rules`, { token: key })).body.version).toBe(before);
  });

  it('refuses __proto__, constructor and prototype at the top of data and nested, with 422 and the pointer', async () => {
    const cases: [string, string][] = [
      ['{"__proto__":{"x":1}}', '/data/__proto__'],
      ['{"constructor":1}', '/data/constructor'],
      ['{"prototype":"x"}', '/data/prototype'],
      ['{"a":{"b":[{"__proto__":null}]}}', '/data/a/b/0/__proto__'],
      ['{"a":{"constructor":{"prototype":1}}}', '/data/a/constructor'],
    ];
    for (const [raw, pointer] of cases) {
      const body = `{"id":"reserved","type":"signup","participantId":"p1","data":${raw}}`;
      const res = await post(`/v1/programs/${programId}/events`, body);
      expect(res.status, raw).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ pointer, message: expect.stringContaining('reserved') }] });
      // The signed webhook route parses the same way.
      const signed = await send('POST', `/v1/webhooks/${tenantId}/programs/${programId}/events`, { body, headers: { 'x-advocate-signature': await signPayload(webhookSecret, body, h.clock.now()) } });
      expect(signed.status, raw).toBe(422);
      expect(signed.body.error.details[0].pointer).toBe(pointer);
    }
    // Other bodies too: a reserved key at the top of a participant or a public login.
    const participant = await send('PUT', '/v1/participants/p2', { body: '{"email":"p2@example.com","__proto__":{"admin":true}}', headers: { authorization: `Bearer ${key}` } });
    expect(participant.status).toBe(422);
    expect(participant.body.error.details[0].pointer).toBe('/__proto__');
    const login = await post('/v1/microsite/login', `{"tenantId":"${tenantId}","email":"p1@example.com","password":"x","constructor":1}`, null);
    expect(login.status).toBe(422);
    expect(login.body.error.details[0].pointer).toBe('/constructor');
    // toString and valueOf stay refused inside event data (they break comparisons), now also at its top level.
    const toStr = await post(`/v1/programs/${programId}/events`, '{"id":"ts","type":"signup","participantId":"p1","data":{"toString":1}}');
    expect(toStr.status).toBe(422);
    expect(toStr.body.error.details[0].pointer).toBe('/data/toString');
  });
});
