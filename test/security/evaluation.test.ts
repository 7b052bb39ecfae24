import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { signPayload } from '../../runtime/security/webhook-signature.ts';
import { EXPLANATION_BYTES } from '../../rules/explain.ts';

// A tenant with only its own API key tries to stall every tenant with rules
// whose cost grows with the event: decorated operators comparing two fact
// arrays (N x M comparisons) and explanations that copy a large value per
// condition. Each attack must be refused with 422 naming the condition,
// leave nothing behind, and leave /health answering.

const zeros = Array.from({ length: 100_000 }, () => 0);
const ones = Array.from({ length: 100_000 }, () => 1);
/** About 400 KB: 10^10 comparisons without a budget. */
const bombData = { a: zeros, b: ones };

const purchase = { fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' };
const bombLeaf = { fact: 'event', path: '$.data.a', operator: 'someFact:someValue:equal', value: { fact: 'event', path: '$.data.b' } };
const BOMB_POINTER = '/rules/2/conditions/all/1';

const rules = {
  rules: [
    { name: 'credit', conditions: { all: [purchase] }, event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD', to: 'participant' } } },
    { name: 'thanks', conditions: { all: [purchase] }, event: { type: 'email', params: { template: 'email-action', to: 'participant', data: { message: 'Thanks' } } } },
    { name: 'bomb', conditions: { all: [purchase, bombLeaf] }, event: { type: 'reward', params: { kind: 'credit', amount: 1, currency: 'USD', to: 'participant' } } },
  ],
};

describe.each(DIALECTS)('evaluation budget against a hostile tenant on %s', (dialect) => {
  let h: Harness;
  let tenant: { id: string; apiKey: string; webhookSecret: string };
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    tenant = await h.tenant();
    programId = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'P' } })).body.id;
    const saved = await h.request('PUT', `/v1/programs/${programId}/rules`, { token: tenant.apiKey, body: rules });
    expect(saved.status).toBe(200);
    expect((await h.request('PUT', '/v1/participants/p1', { token: tenant.apiKey, body: { email: 'p1@example.com' } })).status).toBeLessThan(300);
  });
  afterAll(() => h.close());

  const apiKeyPost = (body: unknown) => h.request('POST', `/v1/programs/${programId}/events`, { token: tenant.apiKey, body });
  const webhookPost = async (body: unknown) => {
    const raw = JSON.stringify(body);
    const signature = await signPayload(tenant.webhookSecret, raw, h.clock.now());
    return h.request('POST', `/v1/webhooks/${tenant.id}/programs/${programId}/events`, { body: raw, headers: { 'x-advocate-signature': signature } });
  };
  const dryRun = (body: unknown) => h.request('POST', `/v1/programs/${programId}/evaluate`, { token: tenant.apiKey, body });

  /** The attack and a health check sent together; the check's latency is reported, not asserted. */
  async function withHealth<T>(label: string, attack: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const [result, health] = await Promise.all([attack(), h.request('GET', '/health').then((res) => ({ res, ms: performance.now() - started }))]);
    expect(health.res.status).toBe(200);
    console.log(`[${dialect}] /health during ${label}: ${health.ms.toFixed(1)} ms`);
    return result;
  }

  function expectRefused(res: { status: number; body: any }, pointer: string) {
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('evaluation_failed');
    expect(res.body.error.details).toEqual([{ pointer, message: expect.stringContaining('budget') }]);
  }

  async function expectNothingWritten(eventId: string) {
    const db = h.services.store.db;
    expect(await db.selectFrom('events').select('id').where('tenant_id', '=', tenant.id).where('id', '=', eventId).execute()).toEqual([]);
    expect(await db.selectFrom('rewards').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    expect(await db.selectFrom('emails').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
  }

  it('refuses a decorator bomb on the API-key route with the pointer, writes nothing, and refuses a resend the same way', async () => {
    const event = { id: 'bomb-1', type: 'purchase', participantId: 'p1', data: bombData };
    const first = await withHealth('a decorator bomb (API key)', () => apiKeyPost(event));
    expectRefused(first, BOMB_POINTER);
    await expectNothingWritten('bomb-1');
    const again = await apiKeyPost(event);
    expect([again.status, again.body]).toEqual([first.status, first.body]);
    await expectNothingWritten('bomb-1');
  });

  it('refuses the same bomb through the signed webhook route', async () => {
    const event = { id: 'bomb-2', type: 'purchase', participantId: 'p1', data: bombData };
    const first = await withHealth('a decorator bomb (webhook)', () => webhookPost(event));
    expectRefused(first, BOMB_POINTER);
    await expectNothingWritten('bomb-2');
    const again = await webhookPost(event);
    expect([again.status, again.body]).toEqual([first.status, first.body]);
    await expectNothingWritten('bomb-2');
  });

  it('refuses thousands of conditions each scanning a large fact array, however small the rules document', async () => {
    const program = (await h.request('POST', '/v1/programs', { token: tenant.apiKey, body: { name: 'Scans' } })).body.id;
    const scans = {
      rules: [{ name: 'scans', conditions: { any: Array.from({ length: 90 }, () => ({ condition: 'scan' })) }, event: rules.rules[0].event }],
      conditions: { scan: { any: Array.from({ length: 50 }, () => ({ fact: 'event', path: '$.data.a', operator: 'contains', value: 'needle' })) } },
    };
    expect((await h.request('PUT', `/v1/programs/${program}/rules`, { token: tenant.apiKey, body: scans })).status).toBe(200);
    const event = { id: 'scan-1', type: 'purchase', participantId: 'p1', data: { a: zeros } };
    const post = () => h.request('POST', `/v1/programs/${program}/events`, { token: tenant.apiKey, body: event });
    const first = await withHealth('4,500 scans of a 100k-element array', post);
    expect(first.status).toBe(422);
    expect(first.body.error.details).toEqual([{ pointer: expect.stringMatching(/^\/conditions\/scan\/any\/\d+$/), message: expect.stringContaining('budget') }]);
    await expectNothingWritten('scan-1');
    const again = await post();
    expect([again.status, again.body]).toEqual([first.status, first.body]);
  });

  it('refuses the bomb in a dry run of the active rules and of a draft, naming the same condition', async () => {
    const active = await withHealth('a decorator bomb (dry run)', () => dryRun({ type: 'purchase', participantId: 'p1', data: bombData }));
    expectRefused(active, BOMB_POINTER);
    const draft = await dryRun({ type: 'purchase', data: bombData, rules: [rules.rules[2]] });
    expectRefused(draft, '/rules/0/conditions/all/1');
  });

  it('shows large fact values in a dry run as summaries and keeps the answer under its cap', async () => {
    // 90 references x 50 conditions each showing a 150 KB string: hundreds of MB if copied per condition.
    const text = 'z'.repeat(150_000);
    const draft = {
      rules: [{ name: 'amplifier', conditions: { any: Array.from({ length: 90 }, () => ({ condition: 'scan' })) }, event: rules.rules[0].event }],
      conditions: { scan: { any: Array.from({ length: 50 }, () => ({ fact: 'event', path: '$.data.text', operator: 'equal', value: 'nope' })) } },
    };
    const res = await withHealth('an amplifying dry run', () => dryRun({ type: 'purchase', data: { text }, ...draft }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body).length).toBeLessThanOrEqual(EXPLANATION_BYTES);
    const leaf = res.body.rules[0].conditions.children[0].children[0].children[0];
    expect(leaf).toMatchObject({ pointer: '/conditions/scan/any/0', factValue: { truncated: true, type: 'string', length: 150_000 }, result: 'fail' });
    expect(leaf.factValue.preview.length).toBeLessThan(1_000);

    // Conditions reading and comparing lists of long strings, about 2 KB each shown: past the cap, refused at the condition where it ran over.
    const list = Array.from({ length: 2_000 }, (_, i) => `${'x'.repeat(110)}${i}`);
    const wider = {
      rules: [{ name: 'amplifier', conditions: { any: Array.from({ length: 90 }, () => ({ condition: 'scan' })) }, event: rules.rules[0].event }],
      conditions: { scan: { any: Array.from({ length: 50 }, () => ({ fact: 'event', path: '$.data.list', operator: 'in', value: list.slice(0, 10) })) } },
    };
    const refused = await dryRun({ type: 'purchase', data: { list }, ...wider });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('evaluation_failed');
    expect(refused.body.error.details).toEqual([{ pointer: expect.stringMatching(/^\/conditions\/scan\/any\/\d+$/), message: expect.stringContaining('explanation') }]);
  });

  it('still evaluates an ordinary event: the limits are not in the way of a real program', async () => {
    const res = await apiKeyPost({ id: 'ordinary-1', type: 'purchase', participantId: 'p1', data: { a: [1, 2, 3], b: [4, 5, 6] } });
    expect(res.status).toBe(201);
    expect(res.body.fired.map((f: { rule: string }) => f.rule)).toEqual(['credit', 'thanks']);
    expect(res.body.rewards).toHaveLength(1);
    expect(res.body.emails.map((e: { type: string }) => e.type)).toContain('email-action');
  });
});
