import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, DIALECTS, type TestStore } from '../../support/databases.ts';
import { migrateToLatest } from '../../../runtime/store/migrate.ts';
import { ABANDONED_CLAIM_MS, findEvent, insertEventOnce } from '../../../runtime/store/event-queries.ts';
import type { EventTable } from '../../../runtime/store/database.ts';

// The event claim is D1's exactly-once guard (no transaction rolls a claim
// back there): one owner at a time, and a claim abandoned without a response
// can be taken over once stale, but never a claim that has its response.

describe.each(DIALECTS)('the event claim on %s', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    await migrateToLatest(store.db);
    await store.db.insertInto('tenants').values({ id: 't1', name: 'T', api_key_hash: 'h', webhook_secret_sealed: 's', created_at: '2026-01-01T00:00:00.000Z' }).execute();
  });
  afterAll(() => store.dispose());

  const claim = (id: string, at: Date, hash = 'hash-a'): EventTable => ({
    tenant_id: 't1',
    id,
    program_id: 'p1',
    type: 'purchase',
    participant_id: 'bob',
    data: '{}',
    occurred_at: at.toISOString(),
    request_hash: hash,
    response: '',
    created_at: at.toISOString(),
    facts: null,
  });

  it('has one owner while the claim is fresh', async () => {
    const t0 = new Date('2026-06-01T12:00:00.000Z');
    expect(await insertEventOnce(store.db, claim('e1', t0))).toBe(true);
    expect(await insertEventOnce(store.db, claim('e1', new Date(t0.getTime() + 1_000)))).toBe(false);
  });

  it('lets a retry take over a claim abandoned without a response, once it is stale', async () => {
    const t0 = new Date('2026-06-01T12:00:00.000Z');
    await insertEventOnce(store.db, claim('e2', t0));
    const later = new Date(t0.getTime() + ABANDONED_CLAIM_MS + 1_000);
    expect(await insertEventOnce(store.db, claim('e2', later, 'hash-b'))).toBe(true);
    expect(await findEvent(store.db, 't1', 'e2')).toMatchObject({ request_hash: 'hash-b', created_at: later.toISOString() });
    // The new owner's claim is fresh again.
    expect(await insertEventOnce(store.db, claim('e2', new Date(later.getTime() + 1_000)))).toBe(false);
  });

  it('never takes over an event that has its response', async () => {
    const t0 = new Date('2026-06-01T12:00:00.000Z');
    await insertEventOnce(store.db, claim('e3', t0));
    await store.db.updateTable('events').set({ response: '{"done":true}' }).where('id', '=', 'e3').execute();
    expect(await insertEventOnce(store.db, claim('e3', new Date(t0.getTime() + 10 * ABANDONED_CLAIM_MS)))).toBe(false);
    expect((await findEvent(store.db, 't1', 'e3'))!.response).toBe('{"done":true}');
  });
});
