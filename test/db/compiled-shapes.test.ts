import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, DIALECTS, type TestStore } from '../support/databases.ts';
import { migrateToLatest } from '../../runtime/store/migrate.ts';
import { runShaped } from '../../runtime/store/compiled-shapes.ts';
import { insertEventOnce } from '../../runtime/store/event-queries.ts';
import { insertRewardOnce } from '../../runtime/store/reward-queries.ts';
import { lockParticipant } from '../../runtime/store/participant-queries.ts';
import { inTransaction } from '../../runtime/store/store.ts';
import type { EventTable, RewardTable } from '../../runtime/store/database.ts';

// The hot statements are compiled once per shape and reused with new values
// (runtime/store/compiled-shapes.ts): each run must bind its own values, in
// and out of a transaction, and an insert whose row leaves a column undefined
// is a different shape (the column keeps its default), as with Kysely's values(row).

const at = '2026-06-15T12:00:00.000Z';
const reward = (id: string, participant: string, amount: number): RewardTable => ({
  id, tenant_id: 't1', program_id: 'p1', event_id: 'e1', rule_name: 'rule', participant_id: participant, kind: 'cash',
  amount_minor: amount, currency: 'USD', description: null, status: 'available', pending_reasons: '', remaining_minor: amount,
  hold_until: null, expires_at: null, rule_version: 1, rule_hash: 'h', taxable_minor: null, trace: null, review_flags: null,
  occurred_at: at, created_at: at, updated_at: at,
});
const event = (id: string, facts: string | undefined): EventTable => ({
  tenant_id: 't1', id, program_id: 'p1', type: 'buy', participant_id: 'ann', data: `{"n":"${id}"}`, occurred_at: at, request_hash: `h-${id}`,
  response: '', created_at: at, facts: facts as string,
});

describe.each(DIALECTS)('statements compiled once per shape (%s)', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    await migrateToLatest(store.db);
  });
  afterAll(() => store.dispose());

  it('binds each run its own values, and a conflict still writes nothing', async () => {
    expect(await insertRewardOnce(store.db, reward('r1', 'ann', 500))).toBe(true);
    expect(await inTransaction(store, (db) => insertRewardOnce(db, reward('r2', 'bob', 700)))).toBe(true);
    expect(await insertRewardOnce(store.db, reward('r3', 'ann', 900))).toBe(false);
    const rows = await store.db.selectFrom('rewards').select(['id', 'participant_id', 'amount_minor']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'r1', participant_id: 'ann', amount_minor: 500 },
      { id: 'r2', participant_id: 'bob', amount_minor: 700 },
    ]);
  });

  it('keys an insert on the columns its row defines', async () => {
    expect(await insertEventOnce(store.db, event('e-with', '{"facts":1}'))).toBe(true);
    expect(await insertEventOnce(store.db, event('e-without', undefined))).toBe(true);
    expect(await insertEventOnce(store.db, event('e-with', '{"facts":2}'))).toBe(false);
    const rows = await store.db.selectFrom('events').select(['id', 'data', 'facts']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'e-with', data: '{"n":"e-with"}', facts: '{"facts":1}' },
      { id: 'e-without', data: '{"n":"e-without"}', facts: null },
    ]);
  });

  it('reads with the values of this run, constants kept', async () => {
    await store.db.insertInto('tenants').values({ id: 't1', name: 'T', api_key_hash: 'x', webhook_secret_sealed: '', created_at: at }).execute();
    for (const id of ['ann', 'bob']) {
      await store.db
        .insertInto('participants')
        .values({ tenant_id: 't1', id, email: `${id}@example.com`, first_name: null, last_name: null, locale: null, country_code: null, referred_by: null, w9_on_file: 0, w9_on_file_at: null, payout_info_complete: 0, payout_info_completed_at: null, email_verified: 0, email_verified_at: null, password_hash: null, created_at: at, updated_at: at })
        .execute();
    }
    expect((await inTransaction(store, (db) => lockParticipant(db, store.dialect, 't1', 'bob')))?.email).toBe('bob@example.com');
    expect((await lockParticipant(store.db, store.dialect, 't1', 'ann'))?.email).toBe('ann@example.com');
    expect(await lockParticipant(store.db, store.dialect, 't2', 'ann')).toBeUndefined();
    const byEmail = (email: string) =>
      runShaped(store.db, 'test:byEmail', { email }, (slot) => store.db.selectFrom('participants').select('id').where('email', '=', slot('email')).where('tenant_id', '=', 't1'));
    expect((await byEmail('bob@example.com')).rows).toEqual([{ id: 'bob' }]);
    expect((await byEmail('ann@example.com')).rows).toEqual([{ id: 'ann' }]);
  });

  it('refuses a run that leaves a slot without a value', async () => {
    await expect(runShaped(store.db, 'test:byId', {}, (slot) => store.db.selectFrom('participants').select('id').where('id', '=', slot('id')))).rejects.toThrow(/no value for slot id/);
  });
});
