import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExchanges } from '../support/openapi-check.ts';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

describe.each(DIALECTS)('input validation on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token: key, body: { email: 'p1@example.com' } });
  });
  afterAll(() => h.close());

  const putRules = (body: unknown) => h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body });

  it('points at the offending operator, fact, template and path with JSON pointers', async () => {
    const res = await putRules({
      rules: [
        { name: 'a', conditions: { all: [{ fact: 'event', operator: 'bogus', value: 1 }] }, event: { type: 'reward', params: { kind: 'cash', amount: 5 } } },
        { name: 'b', conditions: { any: [{ fact: 'weather', operator: 'equal', value: 1 }] }, event: { type: 'email', params: { template: 'nope' } } },
        { name: 'c', conditions: { all: [{ fact: 'event', path: '$..[?(@.x)]', operator: 'equal', value: 1 }] }, event: { type: 'teleport', params: {} } },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_rules');
    const pointers = res.body.error.details.map((d: any) => d.pointer);
    expect(pointers).toContain('/rules/0/conditions/all/0/operator');
    expect(pointers).toContain('/rules/1/conditions/any/0/fact');
    expect(pointers).toContain('/rules/1/event/params/template');
    expect(pointers).toContain('/rules/2/conditions/all/0/path');
    expect(pointers.some((p: string) => p.startsWith('/rules/2/event'))).toBe(true);
  });

  it('refuses duplicate names, reference cycles and over-deep nesting', async () => {
    let deep: any = { fact: 'event', path: '$.type', operator: 'equal', value: 'x' };
    for (let i = 0; i < 20; i++) deep = { all: [deep] };
    const res = await putRules({
      conditions: { a: { all: [{ condition: 'b' }] }, b: { any: [{ condition: 'a' }] } },
      rules: [
        { name: 'same', conditions: { all: [] }, event: { type: 'reward', params: { kind: 'cash', amount: 1 } } },
        { name: 'same', conditions: { all: [{ condition: 'a' }] }, event: { type: 'reward', params: { kind: 'cash', amount: 1 } } },
        { name: 'deep', conditions: deep, event: { type: 'reward', params: { kind: 'cash', amount: 1 } } },
      ],
    });
    expect(res.status).toBe(422);
    const messages = res.body.error.details.map((d: any) => `${d.pointer} ${d.message}`).join('\n');
    expect(messages).toMatch(/\/rules\/1\/name/);
    expect(messages).toMatch(/circular reference/);
    expect(messages).toMatch(/\/rules\/2\/conditions/);
  });

  it('keeps the previous version when a save is refused', async () => {
    const ok = await putRules({ rules: [{ name: 'ok', conditions: { all: [] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } }] });
    expect(ok.status).toBe(200);
    await putRules({ rules: [{ name: 'bad' }] });
    const active = await h.request('GET', `/v1/programs/${programId}/rules`, { token: key });
    expect(active.body.version).toBe(ok.body.version);
    expect((await h.request('GET', `/v1/programs/${programId}/rules/versions`, { token: key })).body.versions).toHaveLength(1);
  });

  it('answers malformed JSON with 400 and a clear code', async () => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: '{"id": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('names every bad event field and writes nothing', async () => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: '', type: 5, participantId: 'p1', occurredAt: 'yesterday', extra: 1 } });
    expect(res.status).toBe(422);
    const pointers = res.body.error.details.map((d: any) => d.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/id', '/type', '/occurredAt', '/extra']));
    expect(await h.services.store.db.selectFrom('events').selectAll().execute()).toEqual([]);
    const feb31 = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'e-feb', type: 'x', participantId: 'p1', occurredAt: '2026-02-31T10:00:00Z' } });
    expect(feb31.status).toBe(422);
    expect(feb31.body.error.details[0].pointer).toBe('/occurredAt');
  });

  it('refuses an unknown participant and reserved keys in event data', async () => {
    const unknown = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'e1', type: 'x', participantId: 'ghost' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].pointer).toBe('/participantId');
    const hostile = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'e2', type: 'x', participantId: 'p1', data: { a: { toString: 1 } } } });
    expect(hostile.status).toBe(422);
    expect(hostile.body.error.details[0].pointer).toBe('/data/a/toString');
  });

  it('validates participant addresses as one mailbox', async () => {
    for (const email of ['a@example.com, b@example.com', 'x', 'a@example.com\r\nBcc: c@example.com', 'Group: a@example.com;']) {
      const res = await h.request('PUT', '/v1/participants/p2', { token: key, body: { email } });
      expect(res.status, email).toBe(422);
      expect(res.body.error.details[0].pointer).toBe('/email');
    }
  });

  it('validates program settings', async () => {
    const res = await h.request('POST', '/v1/programs', { token: key, body: { name: 'x', settings: { timeZone: 'Mars/Base', w9ThresholdCents: -1 } } });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: any) => d.pointer).sort()).toEqual(['/settings/timeZone', '/settings/w9ThresholdCents']);
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
