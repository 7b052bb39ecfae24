import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, createTestStore, type TestStore } from '../support/databases.ts';
import { migrateTo, migrateToLatest } from '../../runtime/store/migrate.ts';

// The lifecycle migration on rows written before it: held rewards become
// pending for payout details, every reward starts its history, and the
// filled-in default W-9 threshold leaves program settings (a chosen one stays).

describe.each(DIALECTS)('reward lifecycle migration on %s', (dialect) => {
  let store: TestStore;
  afterEach(() => store.dispose());

  it('migrates rewards and program settings', async () => {
    store = await createTestStore(dialect);
    const db = store.db as any;
    await migrateTo(db, '2026-11-30T11-05-00_email_link_secrets');
    const t = '2026-05-01T00:00:00.000Z';
    await db.insertInto('tenants').values({ id: 't1', name: 'Acme', api_key_hash: 'h', webhook_secret_sealed: 's', created_at: t }).execute();
    const program = (id: string, settings: object) => ({ id, tenant_id: 't1', name: id, settings: JSON.stringify(settings), active_version: null, created_at: t, updated_at: t });
    await db.insertInto('programs').values([program('p-default', { w9ThresholdCents: 59900, timeZone: 'UTC' }), program('p-chosen', { w9ThresholdCents: 40000 })]).execute();
    const reward = (id: string, status: string) => ({
      id, tenant_id: 't1', program_id: 'p-default', event_id: `e-${id}`, rule_name: 'r', participant_id: 'u1', kind: 'cash',
      amount_minor: 2500, currency: 'USD', description: null, status, occurred_at: t, created_at: t, updated_at: t,
    });
    await db.insertInto('rewards').values([reward('held', 'pending_payout_info'), reward('free', 'available'), reward('gone', 'cancelled')]).execute();

    await migrateToLatest(db);

    const rows = await db.selectFrom('rewards').select(['id', 'status', 'pending_reasons', 'remaining_minor']).orderBy('id').execute();
    expect(rows.map((r: any) => ({ ...r, remaining_minor: Number(r.remaining_minor) }))).toEqual([
      { id: 'free', status: 'available', pending_reasons: '', remaining_minor: 2500 },
      { id: 'gone', status: 'cancelled', pending_reasons: '', remaining_minor: 2500 },
      { id: 'held', status: 'pending', pending_reasons: 'payout_info', remaining_minor: 2500 },
    ]);
    const history = await db.selectFrom('reward_history').select(['reward_id', 'to_status', 'reason']).orderBy('reward_id').execute();
    expect(history).toEqual([
      { reward_id: 'free', to_status: 'available', reason: 'migrated' },
      { reward_id: 'gone', to_status: 'cancelled', reason: 'migrated' },
      { reward_id: 'held', to_status: 'pending', reason: 'migrated' },
    ]);
    const settings = await db.selectFrom('programs').select(['id', 'settings']).orderBy('id').execute();
    expect(settings.map((p: any) => [p.id, JSON.parse(p.settings)])).toEqual([
      ['p-chosen', { w9ThresholdCents: 40000 }],
      ['p-default', { timeZone: 'UTC' }],
    ]);
  });
});
