import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteDialect } from '../../runtime/store/dialects/sqlite-dialect.ts';
import { groupCommit } from '../../runtime/store/dialects/group-commit.ts';
import { SYNC } from '../../runtime/store/dialects/sqlite-settings.ts';
import { createStore } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/database.ts';
import { createHarness } from '../support/app-harness.ts';

// The embedded SQLite commits the transactions that finish in one turn of the
// event loop together (runtime/store/dialects/group-commit.ts). What must not
// change: a transaction's rollback undoes only its own work, a write outside a
// transaction is committed when it returns, and nothing is answered before it
// is on disk. "On disk" is checked the way another process would: a second
// connection to the same file sees only committed work.

const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

function open() {
  const file = join(dir, `g${n++}.db`);
  const dialect = createSqliteDialect(file);
  const db = new Kysely<any>({ dialect });
  const other = new Sqlite(file);
  opened.push({ close: () => db.destroy() }, other);
  const seen = (table: string) => (other.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  return { db, durable: dialect.durable, seen, file };
}

async function withTable() {
  const g = open();
  await sql`create table t (id integer primary key, v text)`.execute(g.db);
  // Deferred: checked at COMMIT, so a member can pass its own RELEASE and fail the group's commit.
  await sql`create table parent (id integer primary key)`.execute(g.db);
  await sql`create table child (id integer, parent integer references parent(id) deferrable initially deferred)`.execute(g.db);
  return g;
}

describe('SQLite group commit', () => {
  it('commits transactions that finish in the same turn once, and only then are they visible to another connection', async () => {
    const g = await withTable();
    const insert = (id: number) => g.db.transaction().execute((tx) => tx.insertInto('t').values({ id, v: 'x' }).execute());
    await Promise.all([insert(1), insert(2), insert(3)]);
    // Finished, visible on this connection, not yet committed.
    expect((await g.db.selectFrom('t').select('id').execute()).length).toBe(3);
    expect(g.seen('t')).toBe(0);
    await g.durable();
    expect(g.seen('t')).toBe(3);
  });

  it('undoes only the transaction that rolled back', async () => {
    const g = await withTable();
    const good = g.db.transaction().execute((tx) => tx.insertInto('t').values({ id: 1, v: 'kept' }).execute());
    const bad = g.db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ id: 2, v: 'undone' }).execute();
      throw new Error('changed my mind');
    });
    const after = g.db.transaction().execute((tx) => tx.insertInto('t').values({ id: 3, v: 'kept' }).execute());
    await expect(bad).rejects.toThrow('changed my mind');
    await Promise.all([good, after]);
    await g.durable();
    expect(g.seen('t')).toBe(2);
    expect((await g.db.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([1, 3]);
  });

  it('commits the open group before a write outside a transaction, which is on disk when it returns', async () => {
    const g = await withTable();
    await g.db.transaction().execute((tx) => tx.insertInto('t').values({ id: 1, v: 'member' }).execute());
    expect(g.seen('t')).toBe(0);
    await g.db.insertInto('t').values({ id: 2, v: 'autocommit' }).execute();
    expect(g.seen('t')).toBe(2);
  });

  it('fails every member of a group whose commit fails, keeps none of them, and goes on working', async () => {
    const g = await withTable();
    const fine = g.db.transaction().execute((tx) => tx.insertInto('t').values({ id: 1, v: 'same group' }).execute());
    const poison = g.db.transaction().execute((tx) => tx.insertInto('child').values({ id: 1, parent: 999 }).execute());
    await Promise.all([fine, poison]);
    await expect(g.durable()).rejects.toThrow(/FOREIGN KEY/);
    expect(g.seen('t')).toBe(0);
    expect((await g.db.selectFrom('t').select('id').execute()).length).toBe(0);
    await g.db.transaction().execute((tx) => tx.insertInto('t').values({ id: 2, v: 'next group' }).execute());
    await g.durable();
    expect(g.seen('t')).toBe(1);
  });

  it('commits what is open when the database is closed', async () => {
    const g = await withTable();
    await g.db.transaction().execute((tx) => tx.insertInto('t').values({ id: 1, v: 'x' }).execute());
    await g.db.destroy();
    expect(g.seen('t')).toBe(1);
  });

  describe('relaxed transactions (the outbox bookkeeping)', () => {
    /** The group over a real database, with what it asks of the connection recorded: BEGIN, COMMIT and the durability it sets. */
    function recorded() {
      const raw = new Sqlite(join(dir, `r${n++}.db`));
      raw.pragma('journal_mode = WAL');
      raw.pragma(SYNC.full);
      raw.exec('create table t (id integer primary key)');
      const log: string[] = [];
      const group = groupCommit(
        {
          exec: (text) => (/^(begin|commit|rollback)$/.test(text) && log.push(text), raw.exec(text)),
          sync: (level) => (log.push(`sync ${level}`), raw.pragma(SYNC[level])),
          inTransaction: () => raw.inTransaction,
        },
        { prepare: (text) => raw.prepare(text), close: () => raw.close() },
      );
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: group.database }) });
      opened.push({ close: () => db.destroy() });
      const write = (id: number, relaxed: boolean) =>
        db.transaction().execute(async (tx) => {
          if (relaxed) group.relax();
          await tx.insertInto('t').values({ id }).execute();
        });
      const synchronous = () => raw.pragma('synchronous', { simple: true });
      return { db, log, write, durable: group.durable, synchronous };
    }

    it('commits a group of relaxed transactions without fsync, and the next durable one with it', async () => {
      const r = recorded();
      await Promise.all([r.write(1, true), r.write(2, true)]);
      await r.durable();
      expect(r.log).toEqual(['sync relaxed', 'begin', 'commit']);
      await r.write(3, false);
      await r.durable();
      expect(r.log).toEqual(['sync relaxed', 'begin', 'commit', 'sync full', 'begin', 'commit']);
      expect(r.synchronous()).toBe(2);
    });

    it('never lets a durable transaction ride in a relaxed group: that group commits first', async () => {
      const r = recorded();
      await Promise.all([r.write(1, true), r.write(2, false)]);
      await r.durable();
      expect(r.log).toEqual(['sync relaxed', 'begin', 'commit', 'sync full', 'begin', 'commit']);
    });

    it('lets a relaxed transaction join a durable group, which commits with fsync', async () => {
      const r = recorded();
      await Promise.all([r.write(1, false), r.write(2, true)]);
      await r.durable();
      expect(r.log).toEqual(['begin', 'commit']);
      expect(r.synchronous()).toBe(2);
    });

    it('runs a write outside a transaction durably, also right after a relaxed group', async () => {
      const r = recorded();
      await r.write(1, true);
      await r.db.insertInto('t').values({ id: 2 }).execute();
      expect(r.log).toEqual(['sync relaxed', 'begin', 'commit', 'sync full']);
      expect(r.synchronous()).toBe(2);
    });
  });

  describe('over HTTP', () => {
    async function harness() {
      const g = open();
      const dialect = createSqliteDialect(g.file);
      const db = new Kysely<Database>({ dialect });
      const h = await createHarness('sqlite', { store: { ...createStore(db, 'sqlite', dialect), dispose: () => db.destroy() } });
      opened.push({ close: () => h.close() });
      const { apiKey } = await h.tenant();
      const program = await h.request('POST', '/v1/programs', { token: apiKey, body: { name: 'P' } });
      expect((await h.request('PUT', '/v1/participants/p1', { token: apiKey, body: { email: 'p1@example.com' } })).status).toBeLessThan(300);
      const event = (id: string) => h.request('POST', `/v1/programs/${program.body.id}/events`, { token: apiKey, body: { id, type: 'signup', participantId: 'p1' } });
      return { ...g, event };
    }

    it('answers an event only once it is on disk', async () => {
      const g = await harness();
      const answers = await Promise.all(['e1', 'e2', 'e3', 'e4'].map(g.event));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
      expect(g.seen('events')).toBe(4);
    });

    it('answers 503 in the one error shape, keeping nothing, when the commit fails', async () => {
      const g = await harness();
      const raw = new Sqlite(g.file);
      raw.exec(`create table parent (id integer primary key);
        create table child (id integer, parent integer references parent(id) deferrable initially deferred);
        create trigger poison after insert on events when new.id = 'poison' begin insert into child values (1, 999); end;`);
      raw.close();
      const answer = await g.event('poison');
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('unavailable');
      expect(g.seen('events')).toBe(0);
      expect((await g.event('fine')).status).toBe(201);
      expect(g.seen('events')).toBe(1);
    });
  });
});
