import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import type { Db } from './store.ts';

// Kysely builds an operation tree and compiles it to SQL for every statement
// it runs: on the event path that was the largest share of the server's own
// CPU after the database driver. The hot statements' SQL depends only on the
// dialect and the statement's shape (which columns, which clauses), never on
// the values, which are bound parameters. So each shape is built once, with
// named slots where the values go, and later runs reuse its SQL text and bind
// the new values in the slots' order. The SQL is exactly the one Kysely would
// have built for the same shape.

const SLOT = '\u0000slot:';
/** A cached statement: its SQL, and for each parameter the slot it takes its value from (or a constant the query builder put there). */
type Shape = { sql: string; params: ({ slot: string } | { constant: unknown })[] };

// Per dialect adapter (shared by a Kysely instance and its transactions), per shape key.
// The keys are chosen by code (a statement name plus, for inserts, the row's column
// names), so they are few; the bound only guards against a caller keying on values.
const MAX_SHAPES = 500;
const byAdapter = new WeakMap<object, Map<string, Shape>>();

/** Where a value goes in a statement built for the cache: pass it where the builder expects the value. */
export type Slot = <T = never>(name: string) => T;
const slot: Slot = (name) => (SLOT + name) as never;

/**
 * Runs the statement `build` makes, with `values` bound by slot name. `key`
 * names the statement's shape: two calls with the same key must build the same
 * SQL whatever their values (so a value never decides a clause; put it in a slot).
 */
export async function runShaped<R>(db: Db, key: string, values: Readonly<Record<string, unknown>>, build: (slot: Slot) => Compilable<R>): Promise<QueryResult<R>> {
  const adapter = db.getExecutor().adapter;
  let shapes = byAdapter.get(adapter);
  if (!shapes) byAdapter.set(adapter, (shapes = new Map()));
  let shape = shapes.get(key);
  if (!shape) {
    const compiled = build(slot).compile();
    shape = {
      sql: compiled.sql,
      params: compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(SLOT) ? { slot: p.slice(SLOT.length) } : { constant: p })),
    };
    if (shapes.size < MAX_SHAPES) shapes.set(key, shape);
  }
  const parameters = shape.params.map((p) => {
    if ('constant' in p) return p.constant;
    const value = values[p.slot];
    if (value === undefined) throw new Error(`statement ${key}: no value for slot ${p.slot}`);
    return value;
  });
  return db.executeQuery(CompiledQuery.raw(shape.sql, parameters) as CompiledQuery<R>);
}

/**
 * An insert's shape is the set of columns its row defines (an undefined one is
 * left to its default, as Kysely's own `values(row)` does): this names them for
 * the shape key, and `rowSlots` puts a slot in each for the build.
 */
export function definedColumns(row: object): string {
  let key = '';
  for (const k in row) if ((row as Record<string, unknown>)[k] !== undefined) key += key ? `,${k}` : k;
  return key;
}

export function rowSlots<T extends object>(row: T, slotOf: Slot): T {
  const slots: Record<string, unknown> = {};
  for (const k in row) if ((row as Record<string, unknown>)[k] !== undefined) slots[k] = slotOf(k);
  return slots as T;
}
