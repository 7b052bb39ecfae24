import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { createLogger } from '../../runtime/logger.ts';
import { insertEmailOnce } from '../../runtime/store/email-queries.ts';
import { referralRules } from './fixtures.ts';

// The operator's view: one access-log line per request, liveness and readiness
// probes, and Prometheus metrics behind METRICS_TOKEN.

const METRICS_TOKEN = 'metrics-token-0123456789';

describe.each(DIALECTS)('observability on %s', (dialect) => {
  let h: Harness;
  afterEach(() => h?.close());

  const setUp = async (env: Record<string, string> = {}) => {
    const lines: any[] = [];
    h = await createHarness(dialect, { env: { METRICS_TOKEN, ...env }, logger: createLogger((line) => lines.push(JSON.parse(line))) });
    const tenant = await h.tenant();
    const program = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'P' } })).body;
    await h.request('PUT', `/v1/programs/${program.id}/rules`, { token: tenant.apiKey, body: referralRules });
    await h.request('PUT', '/v1/participants/alice', { token: tenant.apiKey, body: { email: 'alice@example.com' } });
    return { lines, tenant, programId: program.id as string };
  };
  const metrics = async (token: string | null = METRICS_TOKEN) => {
    const res = await h.app.request('/metrics', { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('logs one JSON line per request: request id, tenant, route pattern, status, duration', async () => {
    const { lines, tenant, programId } = await setUp();
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: tenant.apiKey, body: { id: 'e-1', type: 'signup', participantId: 'alice' }, headers: { 'x-request-id': 'req-42' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('req-42');
    const access = lines.filter((l) => l.msg === 'request');
    expect(access.at(-1)).toMatchObject({ level: 'info', requestId: 'req-42', tenantId: tenant.id, method: 'POST', route: '/v1/programs/:programId/events', status: 201 });
    expect(access.at(-1).durationMs).toBeTypeOf('number');
    const before = access.length;
    await h.request('GET', '/nothing-here');
    const notFound = lines.filter((l) => l.msg === 'request').slice(before);
    expect(notFound).toHaveLength(1);
    expect(notFound[0]).toMatchObject({ status: 404, tenantId: null });
    // A client's request id is echoed only when it is a plain token; it is logged as given.
    const hostile = await h.request('GET', '/livez', { headers: { 'x-request-id': 'a"b\u0001{}' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends the request id on every answer: an error, a missing route, an idempotent replay (a Response the handler built itself)', async () => {
    const { tenant } = await setUp();
    const invalid = await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: '' }, headers: { 'x-request-id': 'req-bad' } });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('x-request-id')).toBe('req-bad');
    expect((await h.request('GET', '/nothing-here', { headers: { 'x-request-id': 'req-404' } })).headers.get('x-request-id')).toBe('req-404');
    const create = (id: string) => h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'Replayed' }, headers: { 'idempotency-key': 'k-1', 'x-request-id': id } });
    expect((await create('req-first')).headers.get('x-request-id')).toBe('req-first');
    const replay = await create('req-replay');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('x-request-id')).toBe('req-replay');
  });

  it('answers /livez without the database and /readyz once migrated and the outbox moves', async () => {
    await setUp();
    expect((await h.request('GET', '/livez')).body).toEqual({ status: 'ok' });
    const ready = await h.request('GET', '/readyz');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok', migrations: 'ok', outbox: 'ok' } } });

    // An email due for 16 minutes and never sent: nothing is draining the outbox here.
    const now = h.clock.now();
    const due = new Date(now.getTime() - 16 * 60_000).toISOString();
    const tenant = await h.tenant('Stuck');
    await insertEmailOnce(h.store.db, {
      id: 'stuck-1', tenant_id: tenant.id, program_id: null, participant_id: null, idempotency_key: 'stuck-1', type: 'test', template: 'test',
      to_address: 'x@example.com', subject: 's', html: 'h', text: 't', status: 'queued', attempts: 0, next_attempt_at: due, lease_until: null,
      last_response: null, message_id: '<stuck-1@example.com>', sender: null, created_at: due, updated_at: due, sent_at: null,
    });
    const stuck = await h.request('GET', '/readyz');
    expect(stuck).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { database: 'ok', migrations: 'ok', outbox: 'stuck' } } });
    const text = (await metrics()).text;
    expect(text).toMatch(/^advocate_outbox_depth 1$/m);
    expect(Number(/^advocate_outbox_oldest_due_seconds (\S+)$/m.exec(text)![1])).toBe(16 * 60);
  });

  it('serves /metrics only with METRICS_TOKEN, in the Prometheus text format', async () => {
    const { tenant, programId } = await setUp();
    expect((await metrics(null)).status).toBe(401);
    expect((await metrics('wrong-token-0123456789')).status).toBe(401);

    await h.request('POST', `/v1/programs/${programId}/events`, { token: tenant.apiKey, body: { id: 'e-1', type: 'signup', participantId: 'alice' } });
    await h.request('POST', `/v1/programs/${programId}/events`, { token: tenant.apiKey, body: { id: 'e-1', type: 'signup', participantId: 'alice' } });
    await h.request('POST', `/v1/programs/${programId}/events`, { token: tenant.apiKey, body: { id: 'e-2', type: 'signup', participantId: 'nobody' } });
    await h.services.dispatcher.drain();
    for (let i = 0; i < 11; i++) await h.request('POST', '/v1/microsite/login', { body: { tenantId: tenant.id, email: 'alice@example.com', password: 'wrong password' } });

    const res = await metrics();
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"=,.+]/g, '\\$&')} (\\S+)$`, 'm').exec(res.text)?.[1]);
    expect(value('advocate_events_total{outcome="created"}')).toBe(1);
    expect(value('advocate_events_total{outcome="replayed"}')).toBe(1);
    expect(value('advocate_events_total{outcome="rejected"}')).toBe(1);
    expect(value('advocate_event_duration_seconds_count')).toBe(3);
    expect(value('advocate_event_duration_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(value('advocate_rules_fired_total')).toBe(2);
    expect(value('advocate_email_attempts_total{result="sent",sender="builtin"}')).toBe(2);
    expect(value('advocate_smtp_send_duration_seconds_count{sender="builtin"}')).toBe(2);
    expect(value('advocate_emails{status="queued"}')).toBe(0);
    expect(value('advocate_outbox_depth')).toBe(0);
    expect(value('advocate_dispatcher_leases{state="held"}')).toBe(0);
    expect(value('advocate_rate_limit_refusals_total')).toBe(1);
    expect(res.text).toMatch(/^# TYPE advocate_event_duration_seconds histogram$/m);
  });

  it('has no /metrics at all without METRICS_TOKEN', async () => {
    h = await createHarness(dialect);
    expect((await metrics()).status).toBe(404);
  });
});
