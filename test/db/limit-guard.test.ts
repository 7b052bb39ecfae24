import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../support/databases.ts';
import { migrateToLatest } from '../../runtime/store/migrate.ts';
import { guardedInsert, type LimitGuard } from '../../runtime/store/reward-limit-queries.ts';
import type { RewardTable } from '../../runtime/store/database.ts';

// D1 binds at most 100 parameters per statement: the guarded insert of a
// reward covered by all 10 limits a program may have, each of the widest kind,
// must stay within that, and still run.

const row: RewardTable = {
  id: 'r1', tenant_id: 't1', program_id: 'p1', event_id: 'e1', rule_name: 'rule', participant_id: 'ann', kind: 'cash',
  amount_minor: 500, currency: 'USD', description: null, status: 'available', pending_reasons: '', remaining_minor: 500,
  hold_until: null, expires_at: null, rule_version: 1, rule_hash: 'h', taxable_minor: null, trace: null, review_flags: null,
  occurred_at: '2026-06-15T12:00:00.000Z', created_at: '2026-06-15T12:00:00.000Z', updated_at: '2026-06-15T12:00:00.000Z',
};

const widest = (max: number): LimitGuard => ({
  limit: `l${max}`,
  query: { tenantId: 't1', programId: 'p1', participantId: 'ann', referralsOnly: true, kind: 'cash', currency: 'USD', range: { from: '2026-06-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' } },
  measure: 'amount',
  value: 500,
  max,
});

describe('the guarded reward insert (D1)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('sqlite');
    await migrateToLatest(store.db);
  });
  afterAll(() => store.dispose());

  it('binds at most 100 parameters with 10 limits', () => {
    const guards = Array.from({ length: 10 }, (_, i) => widest(1000 + i));
    expect(guardedInsert(store.db, row, guards).compile().parameters.length).toBeLessThanOrEqual(100);
  });

  it('inserts within the limits and refuses past one', async () => {
    await store.db.insertInto('events').values({ tenant_id: 't1', id: 'e1', program_id: 'p1', type: 'buy', participant_id: 'bob', data: '{}', occurred_at: row.occurred_at, request_hash: 'x', response: '', created_at: row.created_at }).execute();
    const inserted = async (r: RewardTable, guards: LimitGuard[]) => Number((await guardedInsert(store.db, r, guards).executeTakeFirst()).numInsertedOrUpdatedRows);
    expect(await inserted(row, [widest(499)])).toBe(0);
    expect(await inserted(row, [widest(500), widest(1000)])).toBe(1);
    // A second $5 is past a maximum of 999 now that 500 are taken, and within 1000.
    const second = { ...row, id: 'r2', rule_name: 'other' };
    expect(await inserted(second, [widest(1000), widest(999)])).toBe(0);
    expect(await inserted(second, [widest(1000)])).toBe(1);
  });
});
