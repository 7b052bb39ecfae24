import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { serveHarness, type HttpServer } from '../support/serve-harness.ts';
import { consoleSession } from '../support/console-session.ts';
import type { Logger } from '../../runtime/logger.ts';
import { signPayload } from '../../runtime/security/webhook-signature.ts';

// Issue 10, point 7: generated bodies and query strings on every route the
// app registers (read from app.routes, so a new route is fuzzed without
// editing this file): JSON bodies on the API, url-encoded forms on the
// console (signed in or not) and the participant pages; with and without
// credentials, over the real HTTP server. No answer may be a 5xx, every
// refusal of the JSON API must be in the one error shape, and /health, polled
// throughout, must always answer 200.
// FUZZ_SEED=<n> replays a run (the seed is in the test's name and printed on
// failure); FUZZ_RUNS=<n> changes its length.

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Requests per dialect (5,000 in all); each carries a generated query string, and a generated body where the method takes one. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);

/** Field names the API's bodies and queries use, so generated objects reach validation and the services, not just "unknown key". */
const FIELDS = [
  'id', 'type', 'participantId', 'data', 'occurredAt', 'name', 'description', 'rules', 'conditions', 'event', 'params', 'version',
  'subject', 'html', 'text', 'email', 'firstName', 'lastName', 'referredBy', 'countryCode', 'locale', 'payoutInfoComplete', 'w9OnFile',
  'password', 'token', 'redirectUrl', 'programId', 'tenantId', 'host', 'port', 'security', 'username', 'testFromAddress', 'to',
  'replyTo', 'domain', 'fromAddress', 'reward', 'emailAction', 'verification', 'passwordReset', 'payoutReminder', 'status', 'limit',
  'before', 'participant', 'stats', 'facts', 'amount', 'kind', 'currency', 'template', 'fact', 'path', 'operator', 'value', 'all', 'any',
  'not', 'priority', 'redirect', 'sig', 'next', 'active',
];

type Route = { method: string; path: string };

/** Every concrete route of the app: the middleware entries (`ALL`) are not endpoints. */
function routesOf(h: Harness): Route[] {
  const seen = new Map<string, Route>();
  for (const r of h.app.routes) if (r.method !== 'ALL' && !r.path.includes('*')) seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  return [...seen.values()];
}

const oddStrings = fc.constantFrom(
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\u202e', '\uffff', '𝟘', '%00', '%', '%zz', '%ED%A0%80', '../../etc/passwd', 'x'.repeat(5000),
  '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '{{ x }}', '{% for i in (1..9) %}x{% endfor %}', "'; drop table events; --", '2026-02-31T00:00:00Z',
  '2026-06-15T12:00:00Z', 'p1', 'reward', 'signup', 'purchase', 'credit', 'cash', 'USD', 'equal', '$.data.amount', 'event', 'p1@example.com', 'a@b', '"@x.com',
);
// Around the limits of 32-bit integer columns (also ×100, as money is stored), doubles, ports.
const oddNumbers = fc.constantFrom(0, -0, 1, -1, 0.5, 25, 65536, 21_474_837, 1e9, 2 ** 31 - 1, 2 ** 31, 1e10, 2 ** 53, -(2 ** 63), 1e308, -1e308, 5e-324);
const scalar = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), oddStrings, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), oddNumbers, fc.boolean(), fc.constant(null));
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: oddStrings });
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

const rulesDoc = (value: unknown, params: Record<string, unknown>) => ({
  rules: [{ name: 'r', conditions: { all: [{ fact: 'event', path: '$.data.amount', operator: 'greaterThan', value }] }, event: { type: 'reward', params: { kind: 'cash', amount: 25, currency: 'USD', to: 'referrer', ...params } } }],
});

/**
 * A valid body for the routes that take one, by `METHOD path`: the fuzz
 * mutates these so that requests get past validation into the services. A
 * route without an example (a new one) still gets every other kind of body.
 */
const EXAMPLES: Record<string, (ids: Record<string, string>, n: number) => Record<string, unknown>> = {
  'POST /v1/tenants': () => ({ name: 'T' }),
  'POST /v1/programs': () => ({ name: 'P', settings: { timeZone: 'America/New_York', usdRates: { EUR: 1.1 } } }),
  'PATCH /v1/programs/:programId': () => ({ name: 'P2', settings: { w9ThresholdCents: 100, usdRates: { EUR: 1.1 }, verificationTtlHours: 2, payoutReminder: { everyDays: 3 } } }),
  'PUT /v1/programs/:programId/rules': () => rulesDoc(10, {}),
  'POST /v1/programs/:programId/rules/rollback': () => ({ version: 1 }),
  'POST /v1/programs/:programId/evaluate': (ids) => ({ type: 'purchase', participantId: ids.participantId, data: { amount: 20 }, ...rulesDoc(5, { currency: 'EUR' }) }),
  'PUT /v1/programs/:programId/templates/:key': () => ({ subject: 'Hi {{ participant.firstName }}', html: '<p>{{ event.data.amount }}</p>', text: 'x' }),
  'POST /v1/programs/:programId/templates/:key/preview': () => ({ subject: 'Hi', html: '<p>{{ reward.amount }}</p>', text: 'x' }),
  'POST /v1/programs/:programId/backtests': (_, n) => ({ ...(n % 2 === 0 ? { version: 1 } : rulesDoc(5, {})), from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' }),
  'POST /v1/programs/:programId/events': (ids, n) => ({ id: `e${n}`, type: 'purchase', participantId: ids.participantId, data: { amount: 20, tags: ['a'] }, occurredAt: '2026-06-15T12:00:00Z' }),
  'POST /v1/webhooks/:tenantId/programs/:programId/events': (ids, n) => ({ id: `w${n}`, type: 'signup', participantId: ids.participantId, data: { amount: 5 } }),
  'PUT /v1/participants/:participantId': () => ({ email: 'p@example.com', firstName: 'P', referredBy: 'ref', countryCode: 'US', locale: 'en-US', payoutInfoComplete: true, w9OnFile: false }),
  'PUT /v1/participants/:participantId/password': () => ({ password: 'correct horse battery' }),
  'POST /v1/participants/:participantId/verification': (ids) => ({ redirectUrl: 'https://example.com/done', programId: ids.programId }),
  'POST /v1/verification/confirm': () => ({ token: 'abc' }),
  'POST /v1/microsite/login': (ids) => ({ tenantId: ids.tenantId, email: 'p1@example.com', password: 'correct horse battery' }),
  'POST /v1/password-reset': (ids) => ({ tenantId: ids.tenantId, email: 'p1@example.com', programId: ids.programId }),
  'POST /v1/password-reset/confirm': () => ({ token: 'abc', password: 'correct horse battery' }),
  'POST /v1/settings/email/smtp/test': () => ({ to: 'p1@example.com' }),
  'PUT /v1/settings/email/notifications': () => ({ reward: true, emailAction: false }),
  'PUT /v1/settings/email/reply-to': () => ({ replyTo: 'help@example.com' }),
  'PUT /v1/settings/email/domain': () => ({ domain: 'mail.example.com', fromAddress: 'hi@mail.example.com' }),
  'POST /v1/reviews/decisions': (ids) => ({ decision: 'approve', rewardIds: [ids.rewardId, 'missing'], note: 'ok' }),
  'POST /v1/rewards/:rewardId/approve': () => ({ note: 'looks fine' }),
  'POST /v1/rewards/:rewardId/deny': () => ({ note: 'self-referral' }),
};

/** Every object inside a value (itself included), so a mutation can reach `data`, `settings` or a rule's `params`. */
function objectsIn(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) objectsIn(v, out);
  else if (value !== null && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) objectsIn(v, out);
  }
  return out;
}

/** An example with a few fields, at any depth, given other values, added or removed. */
const mutated = (example: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(example, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('replace', 'replace', 'add', 'remove'), key, fc.oneof(value, oddNumbers)), { minLength: 1, maxLength: 4 })).map(([example, edits]) => {
    const out = structuredClone(example);
    const objects = objectsIn(out);
    for (const [which, field, op, k, v] of edits) {
      const target = objects[which % objects.length];
      const existing = Object.keys(target);
      if (op === 'add' || existing.length === 0) target[k] = v;
      else if (op === 'replace') target[existing[field % existing.length]] = v;
      else delete target[existing[field % existing.length]];
    }
    return JSON.stringify(out);
  });

/** A url-encoded form, for the console and the participant pages (the session's CSRF token is added when signed in). */
const formBody = fc.array(fc.tuple(key, fc.oneof(fc.string({ maxLength: 40 }), { weight: 2, arbitrary: oddStrings }, value.map((v) => JSON.stringify(v) ?? ''))), { maxLength: 6 });

/** Mostly objects with the API's field names; sometimes text that is not JSON, not an object, or hostile as text. */
const anyBody = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(key, value, { maxKeys: 8 }).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: value.map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('[', '{"a":', '{"data":'), fc.integer({ min: 1, max: 200 })).map(([open, n]) => open.repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('1e309', '-1e309', '"\\u0000"', '{"__proto__":{}}', '{"constructor":1}', '"\\ud800"'), fc.constantFrom(...FIELDS)).map(([v, k]) => `{"${k}":${v},"data":{"x":${v}}}`) },
);

/** Percent-encodes as a client would; a lone surrogate cannot travel in a URL, so it goes as U+FFFD. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const enc = (s: string) => encodeURIComponent(wellFormed(s));

/** The names the API's query strings use, then anything. */
const queryKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('participantId', 'status', 'type', 'limit', 'before', 'programId', 'token', 'redirect', 'sig', 'next') }, { weight: 1, arbitrary: key });

/** A query string: encoded pairs of generated keys and values, or raw text with bad escapes. */
const query = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(queryKey, fc.oneof(fc.string({ maxLength: 30 }), { weight: 2, arbitrary: oddStrings }, fc.integer().map(String))), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('a', '=', '&', '%', '%0', '%00', '%zz', '%ED%A0%80', '%FF', '+', 'status', 'limit', '-1', '9'.repeat(30)), { maxLength: 8 }).map((parts) => parts.join('')) },
);

/** A path parameter: a real id most of the time (so the handler runs), else a generated segment. */
const segment = (real: string) => fc.oneof({ weight: 6, arbitrary: fc.constant(real) }, { weight: 1, arbitrary: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), oddStrings.filter((s) => s !== '')).map(enc) });

describe.each(DIALECTS)('fuzzing every route on %s', (dialect) => {
  let h: Harness;
  let http: HttpServer;
  const errors: unknown[] = [];
  // Unhandled errors are what a 500 logs; kept to explain a failure.
  const logger: Logger = { info() {}, warn() {}, error: (msg, fields) => errors.push({ msg, ...fields }) };
  const ids: Record<string, string> = {};
  let keys: { tenant: string; other: string };
  let secret: string;
  let admin: { cookie: string; csrf: string };

  beforeAll(async () => {
    h = await createHarness(dialect, { logger });
    const tenant = await h.tenant();
    const other = await h.tenant('Other');
    keys = { tenant: tenant.apiKey, other: other.apiKey };
    secret = tenant.webhookSecret;
    const auth = { token: tenant.apiKey };
    ids.tenantId = tenant.id;
    // The referral checks send p1's referrer bonus to review (p1's mailbox is blocked), so the decisions reach past their first check.
    ids.programId = (await h.request('POST', '/v1/programs', { ...auth, body: { name: 'P', settings: { referralChecks: { blocked: { outcome: 'review' } } } } })).body.id;
    expect((await h.request('PUT', '/v1/referral-blocks', { ...auth, body: { blocks: ['p1@example.com'] } })).status).toBe(200);
    await h.request('PUT', '/v1/participants/ref', { ...auth, body: { email: 'ref@example.com', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/p1', { ...auth, body: { email: 'p1@example.com', referredBy: 'ref' } });
    ids.participantId = 'p1';
    const rules = {
      rules: [
        { name: 'credit', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'signup' }] }, event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD', to: 'participant' } } },
        { name: 'bonus', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'signup' }] }, event: { type: 'reward', params: { kind: 'credit', amount: 3, currency: 'USD', to: 'referrer' } } },
        { name: 'mail', conditions: { any: [{ fact: 'event', path: '$.data.amount', operator: 'greaterThan', value: 10 }] }, event: { type: 'email', params: { template: 'thanks', to: 'participant' } } },
      ],
    };
    await h.request('PUT', `/v1/programs/${ids.programId}/templates/thanks`, { ...auth, body: { subject: 'Thanks {{ participant.firstName }}', html: '<p>{{ event.data.amount }}</p>', text: 'x' } });
    expect((await h.request('PUT', `/v1/programs/${ids.programId}/rules`, { ...auth, body: rules })).status).toBe(200);
    const fired = await h.request('POST', `/v1/programs/${ids.programId}/events`, { ...auth, body: { id: 'seed', type: 'signup', participantId: 'p1', data: { amount: 20 } } });
    expect(fired.status).toBe(201);
    const inReview = fired.body.rewards.find((r: { pendingReasons: string[] }) => r.pendingReasons.includes('review'));
    expect(inReview).toBeDefined();
    ids.rewardId = inReview.id;
    ids.emailId = fired.body.emails[0].id;
    const backtest = await h.request('POST', `/v1/programs/${ids.programId}/backtests`, { ...auth, body: { version: 1, from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' } });
    expect(backtest.status).toBe(202);
    ids.backtestId = backtest.body.id;
    ids.key = 'thanks';
    ids.version = '1';
    // Another tenant's key: revoking it through this tenant must find nothing, and the fuzz keeps its own key.
    ids.id = (await h.request('GET', '/v1/settings/credentials', { token: other.apiKey })).body.apiKeys[0].id;
    ids.kind = 'api-keys';
    ids.address = 'p1@example.com';
    // `:action{enable|disable}` (a console route) takes one of its two words.
    ids.action = 'disable';
    admin = await consoleSession(h, tenant.apiKey);
    http = await serveHarness(h);
  });
  afterAll(async () => {
    await http?.close();
    await h?.close();
  });

  it(`answers ${RUNS} generated requests without a 5xx while /health stays up (seed ${SEED})`, async () => {
    const routes = routesOf(h);
    // The fuzz must reach the whole API, not a subset that happened to be listed.
    expect(routes.length).toBeGreaterThan(40);
    for (const r of routes) for (const [, name] of r.path.matchAll(/:(\w+)/g)) expect(ids, `a real value for :${name} in ${r.path}`).toHaveProperty(name);

    /** Routes outside /v1 (and /health) are pages that read url-encoded forms. */
    const isForm = (r: Route) => !r.path.startsWith('/v1/') && r.path !== '/health';
    const bodyFor = (r: Route): fc.Arbitrary<string | [string, string][]> => {
      if (isForm(r)) return formBody;
      const example = EXAMPLES[`${r.method} ${r.path}`];
      if (!example) return anyBody;
      const valid = fc.nat().map((n) => example(ids, n));
      return fc.oneof({ weight: 4, arbitrary: mutated(valid) }, { weight: 2, arbitrary: valid.map((b) => JSON.stringify(b)) }, { weight: 2, arbitrary: anyBody });
    };
    const request = fc.record({
      // Routes that take a JSON body do the most with their input: they are picked three times as often.
      route: fc.oneof(...routes.map((route) => ({ weight: EXAMPLES[`${route.method} ${route.path}`] ? 3 : 1, arbitrary: fc.record({ route: fc.constant(route), body: bodyFor(route) }) }))),
      params: fc.record(Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, segment(v)]))),
      query,
      auth: fc.constantFrom<'tenant' | 'other' | 'admin' | 'none' | 'garbage'>('tenant', 'tenant', 'tenant', 'tenant', 'tenant', 'tenant', 'other', 'admin', 'none', 'garbage'),
      json: fc.boolean(),
    });

    // /health is polled the whole time, concurrently with the fuzz; every answer must be a 200.
    const health: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const res = await fetch(`${http.url}/health`).catch(() => null);
        health.push(res?.status ?? 0);
        await res?.arrayBuffer();
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    let count = 0;
    try {
      await fc.assert(
        fc.asyncProperty(request, async ({ route: { route, body }, ...r }) => {
          const path = route.path.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => r.params[name]) + (r.query ? `?${r.query}` : '');
          const headers: Record<string, string> = {};
          let sent: string;
          if (typeof body === 'string') {
            sent = body;
            if (r.json) headers['content-type'] = 'application/json';
            const token = { tenant: keys.tenant, other: keys.other, admin: ADMIN_TOKEN, none: null, garbage: 'not-a-key\u00ff' }[r.auth];
            if (token) headers.authorization = `Bearer ${token}`;
            // A signed route is fuzzed past its signature check; `auth: none` keeps some unsigned.
            if (route.path.includes('/webhooks/') && r.auth !== 'none') headers['x-advocate-signature'] = await signPayload(secret, body, h.clock.now());
          } else {
            const form = new URLSearchParams(body.map(([k, v]) => [wellFormed(k), wellFormed(v)]));
            // The console signed in as the tenant (except sign-out, which would end the fuzz's own session).
            if (r.auth === 'tenant' && route.path.startsWith('/admin') && !route.path.endsWith('/sign-out')) {
              headers.cookie = admin.cookie;
              form.set('_csrf', admin.csrf);
            }
            sent = form.toString();
            headers['content-type'] = 'application/x-www-form-urlencoded';
          }
          const res = await fetch(http.url + path, { method: route.method, headers, body: route.method === 'GET' ? undefined : sent, redirect: 'manual' });
          const text = await res.text();
          count++;
          if (res.status >= 500) {
            throw new Error(`${route.method} ${path} answered ${res.status}: ${text.slice(0, 300)}\nbody: ${sent.slice(0, 300)}\nlogged: ${JSON.stringify(errors.slice(-1), (_, v) => (v instanceof Error ? v.stack : v)).slice(0, 1500)}`);
          }
          // Every refusal of the JSON API is in the one error shape.
          if (res.status >= 400 && !isForm(route)) {
            const shaped = (() => {
              try {
                const e = JSON.parse(text).error;
                return typeof e.code === 'string' && typeof e.message === 'string';
              } catch {
                return false;
              }
            })();
            if (!shaped) throw new Error(`${route.method} ${path} answered ${res.status} outside the error shape: ${text.slice(0, 300)}\nbody: ${sent.slice(0, 300)}`);
          }
          // A change the tenant's program accepted (rules, settings, a template) is exercised at once by an event
          // and a dry run, so a value that saves fine but breaks later is found with the request that stored it.
          if (res.ok && route.method !== 'GET' && path.startsWith(`/v1/programs/${ids.programId}`)) {
            const auth = { authorization: `Bearer ${keys.tenant}`, 'content-type': 'application/json' };
            for (const [followPath, followBody] of [
              [`/v1/programs/${ids.programId}/events`, { id: `follow-${count}`, type: 'purchase', participantId: ids.participantId, data: { amount: 20 } }],
              [`/v1/programs/${ids.programId}/evaluate`, { type: 'signup', participantId: ids.participantId, data: { amount: 20 } }],
            ] as const) {
              const follow = await fetch(http.url + followPath, { method: 'POST', headers: auth, body: JSON.stringify(followBody) });
              const followText = await follow.text();
              if (follow.status >= 500) {
                throw new Error(`after ${route.method} ${path} with ${sent.slice(0, 500)}\nPOST ${followPath} answered ${follow.status}: ${followText.slice(0, 300)}\nlogged: ${JSON.stringify(errors.slice(-1), (_, v) => (v instanceof Error ? v.stack : v)).slice(0, 1500)}`);
              }
            }
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } catch (error) {
      console.error(`fuzz failed on ${dialect}; replay with FUZZ_SEED=${SEED}`);
      throw error;
    } finally {
      polling = false;
      await poller;
    }
    expect(count).toBe(RUNS);
    expect(health.length).toBeGreaterThan(0);
    expect(health.filter((s) => s !== 200)).toEqual([]);
  }, 180_000);
});
