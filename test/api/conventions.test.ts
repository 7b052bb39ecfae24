import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, ADMIN_TOKEN, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { runDueJobs } from '../../runtime/scheduler.ts';

// The API's conventions: Idempotency-Key on the POSTs that create something,
// 405 with Allow for a wrong method, messages written for people, and one
// error shape ({code, message, details: [{pointer, message}]} plus context fields).

describe.each(DIALECTS)('conventions on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let tenantId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    const t = await h.tenant();
    token = t.apiKey;
    tenantId = t.id;
  });
  afterAll(() => h.close());

  const programs = async () => (await h.request('GET', '/v1/programs', { token })).body.programs as { id: string; name: string }[];
  const post = (path: string, body: unknown, key?: string, auth = token) => h.request('POST', path, { token: auth, body, headers: key ? { 'idempotency-key': key } : {} });

  describe('Idempotency-Key', () => {
    it('answers a repeated POST with the stored answer and creates one program', async () => {
      const before = (await programs()).length;
      const first = await post('/v1/programs', { name: 'Spring' }, 'create-spring');
      const again = await post('/v1/programs', { name: 'Spring' }, 'create-spring');
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect((await programs()).length).toBe(before + 1);
    });

    it('refuses the same key with another body, and lets requests without a key create each time', async () => {
      await post('/v1/programs', { name: 'Summer' }, 'create-summer');
      const other = await post('/v1/programs', { name: 'Autumn' }, 'create-summer');
      expect(other.status).toBe(409);
      expect(other.body.error).toMatchObject({ code: 'idempotency_key_reused', details: [] });
      const before = (await programs()).length;
      await post('/v1/programs', { name: 'Twice' });
      await post('/v1/programs', { name: 'Twice' });
      expect((await programs()).length).toBe(before + 2);
    });

    it('replays a new tenant\'s one-time secrets without storing them in clear', async () => {
      const body = { name: 'Keyed' };
      const first = await h.request('POST', '/v1/tenants', { token: ADMIN_TOKEN, body, headers: { 'idempotency-key': 'tenant-keyed' } });
      const again = await h.request('POST', '/v1/tenants', { token: ADMIN_TOKEN, body, headers: { 'idempotency-key': 'tenant-keyed' } });
      expect(first.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      const stored = await h.store.db.selectFrom('idempotency_keys').select('response').where('key', '=', 'tenant-keyed').execute();
      expect(stored).toHaveLength(1);
      expect(stored[0].response).not.toContain(first.body.apiKey);
      expect(stored[0].response).not.toContain(first.body.webhookSecret);
    });

    it('creates one API key for a repeated POST, answering the same key again', async () => {
      const count = async () => (await h.request('GET', '/v1/settings/credentials', { token })).body.apiKeys.length;
      const before = await count();
      const first = await post('/v1/settings/credentials/api-keys', {}, 'second-key');
      const again = await post('/v1/settings/credentials/api-keys', {}, 'second-key');
      expect(first.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await count()).toBe(before + 1);
      await h.request('DELETE', `/v1/settings/credentials/api-keys/${first.body.id}`, { token });
    });

    it('keeps nothing for a refused request, so the corrected one may reuse its key', async () => {
      const bad = await post('/v1/programs', { name: '' }, 'create-winter');
      expect(bad.status).toBe(422);
      const good = await post('/v1/programs', { name: 'Winter' }, 'create-winter');
      expect(good.status).toBe(201);
      expect(good.headers.get('idempotent-replayed')).toBeNull();
    });

    it('creates one program for concurrent requests with one key', async () => {
      const before = (await programs()).length;
      const answers = await Promise.all(Array.from({ length: 6 }, () => post('/v1/programs', { name: 'Rush' }, 'create-rush')));
      for (const a of answers) expect([201, 409]).toContain(a.status);
      for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('conflict');
      expect((await programs()).length).toBe(before + 1);
      const later = await post('/v1/programs', { name: 'Rush' }, 'create-rush');
      expect(later.headers.get('idempotent-replayed')).toBe('true');
    });

    it("keeps each tenant's keys apart, and the operator's", async () => {
      const other = await h.tenant('Other');
      const mine = await post('/v1/programs', { name: 'Shared key' }, 'k-1');
      const theirs = await post('/v1/programs', { name: 'Shared key' }, 'k-1', other.apiKey);
      expect(theirs.status).toBe(201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      expect(theirs.body.id).not.toBe(mine.body.id);
      const t1 = await post('/v1/tenants', { name: 'Op' }, 'k-1', ADMIN_TOKEN);
      const t2 = await post('/v1/tenants', { name: 'Op' }, 'k-1', ADMIN_TOKEN);
      expect(t1.status).toBe(201);
      expect(t2.headers.get('idempotent-replayed')).toBe('true');
      expect(t2.body).toEqual(t1.body);
    });

    it('takes over a claim abandoned mid-way', async () => {
      const old = new Date(h.clock.now().getTime() - 5 * 60_000).toISOString();
      await h.store.db.insertInto('idempotency_keys').values({ tenant_id: tenantId, scope: 'POST /v1/programs', key: 'crashed', request_hash: 'x', status: 0, response: '', created_at: old }).execute();
      const res = await post('/v1/programs', { name: 'After a crash' }, 'crashed');
      expect(res.status).toBe(201);
      const fresh = h.clock.now().toISOString();
      await h.store.db.insertInto('idempotency_keys').values({ tenant_id: tenantId, scope: 'POST /v1/programs', key: 'running', request_hash: 'x', status: 0, response: '', created_at: fresh }).execute();
      expect((await post('/v1/programs', { name: 'Meanwhile' }, 'running')).status).toBe(409);
    });

    it('queues one verification email for a repeated request', async () => {
      await h.request('PUT', '/v1/participants/vera', { token, body: { email: 'vera@example.com' } });
      const a = await post('/v1/participants/vera/verification', {}, 'verify-vera');
      const b = await post('/v1/participants/vera/verification', {}, 'verify-vera');
      expect(a.status).toBe(202);
      expect(b.body).toEqual(a.body);
      const emails = (await h.request('GET', '/v1/emails?type=verification', { token })).body.emails;
      expect(emails.filter((e: any) => e.to === 'vera@example.com')).toHaveLength(1);
    });

    it('forgets a key after a day (the scheduler sweeps it), so it then creates again', async () => {
      const first = await post('/v1/programs', { name: 'Daily' }, 'daily');
      h.clock.advance(23 * 3_600_000);
      expect((await runDueJobs(h.services))['idempotency-key-sweep']).toBe(0);
      expect((await post('/v1/programs', { name: 'Daily' }, 'daily')).headers.get('idempotent-replayed')).toBe('true');
      h.clock.advance(2 * 3_600_000);
      expect((await runDueJobs(h.services))['idempotency-key-sweep']).toBeGreaterThanOrEqual(1);
      const later = await post('/v1/programs', { name: 'Daily' }, 'daily');
      expect(later.status).toBe(201);
      expect(later.headers.get('idempotent-replayed')).toBeNull();
      expect(later.body.id).not.toBe(first.body.id);
    });

    it('refuses a key that is not 1 to 200 visible characters', async () => {
      for (const key of ['x'.repeat(201), 'with space']) {
        const res = await post('/v1/programs', { name: 'Bad key' }, key);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('bad_request');
      }
    });
  });

  describe('405 for a wrong method', () => {
    it('answers 405 with Allow on a known path, 404 on an unknown one', async () => {
      const cases: [string, string, string | null, string][] = [
        ['DELETE', '/v1/programs', token, 'GET, HEAD, POST'],
        ['POST', '/health', null, 'GET, HEAD'],
        ['GET', '/v1/tenants', token, 'POST'],
        ['DELETE', '/v1/participants/bob/rewards', token, 'GET, HEAD'],
        ['GET', '/v1/settings/email/smtp', token, 'DELETE, PUT'],
      ];
      for (const [method, path, auth, allow] of cases) {
        const res = await h.request(method, path, { token: auth });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('allow')).toBe(allow);
        expect(res.body.error).toMatchObject({ code: 'method_not_allowed', details: [], allowed: allow.split(', ') });
      }
      const unknown = await h.request('GET', '/v1/nothing-here', { token });
      expect(unknown.status).toBe(404);
    });
  });

  describe('messages and the error shape', () => {
    it('names the field in words, not in the validator’s', async () => {
      const program = (await post('/v1/programs', { name: 'Msg' })).body.id;
      const res = await h.request('POST', `/v1/programs/${program}/events`, { token, body: { type: 5, participantId: 'bob', colour: 'red', occurredAt: 'soon' } });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([
        { pointer: '/id', message: 'id is required' },
        { pointer: '/type', message: 'type must be a string' },
        { pointer: '/occurredAt', message: 'occurredAt must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-27T10:00:00Z' },
        { pointer: '/colour', message: 'colour is not a known field' },
      ]);
      const participant = await h.request('PUT', '/v1/participants/p1', { token, body: { email: 'p1@example.com', locale: 5, w9OnFile: 'yes' } });
      expect(participant.body.error.details).toEqual([
        { pointer: '/locale', message: 'locale must be a string' },
        { pointer: '/w9OnFile', message: 'w9OnFile must be true or false' },
      ]);
      const list = await h.request('GET', '/v1/emails?status=lost', { token });
      expect(list.body.error.details).toEqual([{ pointer: '/status', message: 'status must be one of "queued", "sending", "sent", "failed", "suppressed"' }]);
      for (const detail of [...res.body.error.details, ...participant.body.error.details, ...list.body.error.details]) expect(detail.message).not.toMatch(/Invalid|Expected|received/);
    });

    it('keeps details a list and puts context beside it (rate_limited)', async () => {
      let res;
      for (let i = 0; i < 6; i++) res = await h.request('POST', '/v1/password-reset', { body: { tenantId, email: 'vera@example.com' } });
      expect(res!.status).toBe(429);
      expect(res!.body.error).toMatchObject({ code: 'rate_limited', details: [] });
      expect(res!.body.error.retryAfterSeconds).toBeGreaterThan(0);
    });
  });
});
