import { Kysely, type LogEvent } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS, freshPostgresSchema } from '../support/databases.ts';
import type { Database } from '../../runtime/store/database.ts';
import { createStore } from '../../runtime/store/store.ts';
import { createSqliteDialect } from '../../runtime/store/dialects/sqlite-dialect.ts';
import { createPostgresDialect } from '../../runtime/store/dialects/postgres-dialect.ts';

// Statements per rewarded event, counted at the driver (Kysely's log sees every
// statement, the cached shapes' included): on PostgreSQL each one is a round
// trip, so the reward and its first history step go in one.

describe.each(DIALECTS)('the statements of a rewarded event on %s', (dialect) => {
  let h: Harness;
  let key: string;
  const seen: string[] = [];
  let dispose = async () => {};

  beforeAll(async () => {
    const log = (e: LogEvent) => {
      if (e.level === 'query') seen.push(e.query.sql);
    };
    let db: Kysely<Database>;
    let drop = async () => {};
    if (dialect === 'sqlite') {
      db = new Kysely<Database>({ dialect: createSqliteDialect(':memory:'), log });
    } else {
      const schema = await freshPostgresSchema('st');
      db = new Kysely<Database>({ dialect: createPostgresDialect(schema.url, 5), log });
      drop = schema.drop;
    }
    // The harness leaves a store it was given to its owner: this file closes it.
    dispose = async () => {
      await db.destroy();
      await drop();
    };
    h = await createHarness(dialect, { store: { ...createStore(db, dialect), dispose } });
    key = (await h.tenant()).apiKey;
    await h.request('PUT', '/v1/participants/ann', { token: key, body: { email: 'ann@example.com' } });
    // No reward email: the outbox relay it would wake runs statements of its own.
    expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: false } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await dispose();
  });

  /** A program whose one rule pays `params` on a `buy` event, warmed by one event; returns its events path. */
  const programPaying = async (params: Record<string, unknown>) => {
    const programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    const rules = { rules: [{ name: 'r', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'buy' }] }, event: { type: 'reward', params } }] };
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rules });
    await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `warm-${programId}`, type: 'buy', participantId: 'ann' } });
    return `/v1/programs/${programId}/events`;
  };

  it('takes six statements, five on PostgreSQL, for a credit, and still writes the reward with its created step', async () => {
    const path = await programPaying({ kind: 'credit', amount: 1 });
    seen.length = 0;
    const res = await h.request('POST', path, { token: key, body: { id: 'e1', type: 'buy', participantId: 'ann' } });
    const statements = seen.length;
    expect(res.status).toBe(201);
    expect(res.body.rewards).toHaveLength(1);
    // Context (which checks the API key), begin, reward (+ its step on PostgreSQL), the step elsewhere, the event with its answer, commit.
    // A credit decides nothing from the recipient's state at commit: no row lock.
    expect(statements, seen.join('\n')).toBe(dialect === 'postgres' ? 5 : 6);
    expect(seen.some((sql) => sql.includes('for update'))).toBe(false);
    const steps = await h.store.db.selectFrom('reward_history').selectAll().where('reward_id', '=', res.body.rewards[0].id).execute();
    expect(steps).toMatchObject([{ from_status: null, to_status: 'available', reason: 'created', actor: 'rule', idempotency_key: null }]);
    // A replay writes nothing new: still one reward, one step.
    const again = await h.request('POST', path, { token: key, body: { id: 'e1', type: 'buy', participantId: 'ann' } });
    expect(again.status).toBe(200);
    expect(await h.store.db.selectFrom('reward_history').select('id').where('reward_id', '=', res.body.rewards[0].id).execute()).toHaveLength(1);
  });

  it('queues the reward email in the reward\'s own statement on PostgreSQL, and its own insert elsewhere', async () => {
    const path = await programPaying({ kind: 'credit', amount: 1 });
    expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: true } })).status).toBe(200);
    try {
      seen.length = 0;
      const res = await h.request('POST', path, { token: key, body: { id: 'm1', type: 'buy', participantId: 'ann' } });
      expect(res.status).toBe(201);
      expect(res.body.emails).toMatchObject([{ type: 'reward', to: 'ann@example.com' }]);
      const duringEvent = seen.slice(0, seen.indexOf('commit') + 1);
      // As the credit without its email above, plus the email's insert on SQLite only.
      expect(duringEvent.length, duringEvent.join('\n')).toBe(dialect === 'postgres' ? 5 : 7);
      if (dialect === 'postgres') expect(duringEvent.find((sql) => sql.includes('insert into "rewards"'))).toContain('insert into "emails"');
      const email = await h.store.db.selectFrom('emails').selectAll().where('idempotency_key', 'like', 'reward:m1:%').executeTakeFirstOrThrow();
      expect(email).toMatchObject({ id: res.body.emails[0].id, type: 'reward', to_address: 'ann@example.com' });

      // An email already queued under the reward email's key is not queued again, nor listed.
      await h.store.db
        .insertInto('emails')
        .values({ ...email, id: 'pre-queued', idempotency_key: 'reward:m2:r:ann', message_id: '<pre@x>' })
        .execute();
      const second = await h.request('POST', path, { token: key, body: { id: 'm2', type: 'buy', participantId: 'ann' } });
      expect(second.status).toBe(201);
      expect(second.body.rewards).toHaveLength(1);
      expect(second.body.emails).toEqual([]);
      expect(await h.store.db.selectFrom('emails').select('id').where('idempotency_key', '=', 'reward:m2:r:ann').execute()).toEqual([{ id: 'pre-queued' }]);
    } finally {
      expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: false } })).status).toBe(200);
    }
  });

  it('inserts more than four emails one by one, so a large program makes no statement shape of its own', async () => {
    const programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Five' } })).body.id;
    const rule = (n: number) => ({ name: `r${n}`, conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'buy' }] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } });
    await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: { rules: [1, 2, 3, 4, 5].map(rule) } });
    expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: true } })).status).toBe(200);
    try {
      seen.length = 0;
      const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'five', type: 'buy', participantId: 'ann' } });
      expect(res.status).toBe(201);
      expect(res.body.rewards).toHaveLength(5);
      expect(res.body.emails).toHaveLength(5);
      const duringEvent = seen.slice(0, seen.indexOf('commit') + 1);
      expect(duringEvent.filter((sql) => sql.startsWith('insert into "emails"')), duringEvent.join('\n')).toHaveLength(5);
      expect(duringEvent.some((sql) => sql.includes('insert into "rewards"') && sql.includes('insert into "emails"'))).toBe(false);
    } finally {
      expect((await h.request('PUT', '/v1/settings/email/notifications', { token: key, body: { reward: false } })).status).toBe(200);
    }
  });

  it('locks the recipient for a cash reward, whose hold and W-9 total are decided at commit', async () => {
    const path = await programPaying({ kind: 'cash', amount: 1, currency: 'USD' });
    seen.length = 0;
    const res = await h.request('POST', path, { token: key, body: { id: 'c1', type: 'buy', participantId: 'ann' } });
    expect(res.status).toBe(201);
    expect(res.body.rewards).toMatchObject([{ kind: 'cash', status: 'pending' }]);
    // The recipient's row read inside the transaction (locked on PostgreSQL), then the year's cash total.
    const inside = seen.slice(seen.indexOf('begin'));
    const lock = inside.findIndex((sql) => sql.startsWith('select * from "participants"'));
    expect(lock, seen.join('\n')).toBeGreaterThan(0);
    if (dialect === 'postgres') expect(inside[lock]).toContain('for update');
    expect(inside.findIndex((sql) => sql.includes('from "rewards"'))).toBeGreaterThan(lock);
  });
});
