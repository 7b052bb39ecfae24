/**
 * The history fact eventSum at the store: the database adds a number from
 * the participant's newest events of a type, parsing each payload, bounded
 * by EVENT_SUM_MAX_EVENTS and EVENT_SUM_MAX_BYTES. The baseline is eventCount
 * over the same events (the same index, no payload read), so the ratio is
 * what reading the JSON costs: for ordinary events, and for a tenant that
 * stores 1 MiB payloads, where the byte bound keeps it to 8 of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { EVENT_SUM_MAX_BYTES, EVENT_SUM_MAX_EVENTS } from '../rules/history-facts.ts';
import { createPostgresDialect } from '../runtime/store/dialects/postgres-dialect.ts';
import { createSqliteDialect } from '../runtime/store/dialects/sqlite-dialect.ts';
import { countEvents, sumEventValues } from '../runtime/store/history-queries.ts';
import { migrateToLatest } from '../runtime/store/migrate.ts';
import type { Database } from '../runtime/store/database.ts';
import { freshPostgresSchema } from '../test/support/databases.ts';
import { rate } from './measure.ts';

export type EventSumRow = { events: string; 'eventSum ms': number; 'eventCount ms (baseline)': number };

const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

/** A purchase as a shop would send it (~300 bytes). */
const small = JSON.stringify({ order: { id: 'o-123456', total: 42.5, items: [{ sku: 'A-1', qty: 2, price: 1999 }, { sku: 'B-2', qty: 1, price: 4999 }] }, note: 'x'.repeat(150) });
/** Close to 1 MiB of small tokens: the costliest payload to parse that an event may carry. */
function dense(): string {
  const items: unknown[] = [];
  const doc = { order: { total: 1 }, items };
  while (items.length < 40_000) items.push({ a: items.length, b: 'xy', c: [1, 2.5, true] });
  while (JSON.stringify(doc).length > 1_000_000) items.pop();
  return JSON.stringify(doc);
}

export async function runEventSumBench(): Promise<EventSumRow[]> {
  const rows: EventSumRow[] = [];
  const ms = (perSec: number) => Math.round((1000 / perSec) * 100) / 100;
  const heavy = dense();
  for (const dialect of DATABASES) {
    const dir = dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'advocate-eventsum-')) : null;
    const schema = dialect === 'postgres' ? await freshPostgresSchema('bench') : null;
    const db = new Kysely<Database>({ dialect: dir ? createSqliteDialect(join(dir, 'bench.db')) : createPostgresDialect(schema!.url, 2) });
    await migrateToLatest(db);
    const insert = async (type: string, data: string, n: number) => {
      const values = Array.from({ length: n }, (_, i) => ({ tenant_id: 't', id: `${type}-${i}`, program_id: 'p', type, participant_id: 'u', data, occurred_at: new Date(1.7e12 + i * 1000).toISOString(), request_hash: 'x', response: '{}', created_at: 'x' }));
      for (let i = 0; i < values.length; i += 50) await db.insertInto('events').values(values.slice(i, i + 50)).execute();
    };
    await insert('purchase', small, EVENT_SUM_MAX_EVENTS + 200);
    await insert('upload', heavy, 12);
    for (const [type, label] of [['purchase', `${EVENT_SUM_MAX_EVENTS} newest of ${EVENT_SUM_MAX_EVENTS + 200} ~300 B events`], ['upload', `12 events of 1 MiB dense JSON (${EVENT_SUM_MAX_BYTES / 1048576} MiB bound: 8 read)`]] as const) {
      const q = { tenantId: 't', programId: 'p', participantId: 'u', type };
      const sum = () => sumEventValues(db, dialect, { ...q, path: ['order', 'total'], limit: EVENT_SUM_MAX_EVENTS, maxBytes: EVENT_SUM_MAX_BYTES });
      const count = () => countEvents(db, q);
      rows.push({ events: `${dialect}: ${label}`, 'eventSum ms': ms(await rate(sum, 1500, 300)), 'eventCount ms (baseline)': ms(await rate(count, 500, 100)) });
    }
    await db.destroy();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function printEventSumRows(rows: EventSumRow[]) {
  console.log('\nHistory fact eventSum: time per query (the database parses the payloads) next to eventCount over the same events');
  console.table(rows);
}

const entry = globalThis.process?.argv?.[1] ?? '';
if (/event-sum-bench\.ts$/.test(entry)) printEventSumRows(await runEventSumBench());
