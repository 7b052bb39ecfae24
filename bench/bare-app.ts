import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { Kysely } from 'kysely';
import type { Database } from '../runtime/store/database.ts';
import { createSqliteDialect } from '../runtime/store/dialects/sqlite-dialect.ts';
import { createPostgresDialect } from '../runtime/store/dialects/postgres-dialect.ts';
import { migrateToLatest } from '../runtime/store/migrate.ts';
import { SQLITE_PRAGMAS } from '../runtime/store/dialects/sqlite-settings.ts';
import { BENCH_PARTICIPANTS, benchParticipantId } from './bench-program.ts';

// The baseline of the events benchmark: the least a Hono app can do to accept
// the same event. It parses the body, reads the participant and the program,
// and writes the same three rows as the service (the event with its stored
// answer, one reward, one outbox email) in one transaction, on the same
// schema (our migrations, run once at start) and the same database settings,
// with the driver's own prepared statements and nothing else: no auth, no
// rules, no idempotency, no templates.

const url = process.env.DATABASE_URL ?? 'sqlite::memory:';
const TENANT = 'bare-tenant';

type Input = { id: string; type: string; participantId: string; data?: Record<string, unknown> };
type Rows = { event: unknown[]; reward: unknown[]; email: unknown[] };
type Writer = { read(programId: string, participantId: string): Promise<{ program: unknown; participant: { email: string } | undefined }>; write(rows: Rows): Promise<void> };

const EVENT_SQL = 'insert into events (tenant_id, id, program_id, type, participant_id, data, occurred_at, request_hash, response, created_at) values ';
const REWARD_SQL = 'insert into rewards (id, tenant_id, program_id, event_id, rule_name, participant_id, kind, amount_minor, currency, description, status, occurred_at, created_at, updated_at) values ';
const EMAIL_SQL =
  'insert into emails (id, tenant_id, program_id, participant_id, idempotency_key, type, template, to_address, subject, html, text, status, attempts, next_attempt_at, lease_until, last_response, message_id, sender, created_at, updated_at, sent_at) values ';
const marks = (n: number, pg: boolean) => `(${Array.from({ length: n }, (_, i) => (pg ? `$${i + 1}` : '?')).join(', ')})`;

async function seed() {
  // The schema is the service's own, so both sides write into the same tables and indexes.
  const db = new Kysely<Database>({ dialect: url.startsWith('sqlite:') ? createSqliteDialect(url.slice(7)) : createPostgresDialect(url, 1) });
  await migrateToLatest(db);
  const now = new Date().toISOString();
  await db.insertInto('tenants').values({ id: TENANT, name: 'Bare', api_key_hash: 'x', webhook_secret_sealed: 'x', created_at: now }).onConflict((oc) => oc.doNothing()).execute();
  await db.insertInto('programs').values({ id: 'bare-program', tenant_id: TENANT, name: 'Bare', settings: '{}', active_version: null, templates_version: 0, created_at: now, updated_at: now }).onConflict((oc) => oc.doNothing()).execute();
  const participants = Array.from({ length: BENCH_PARTICIPANTS }, (_, n) => benchParticipantId(n));
  await db
    .insertInto('participants')
    .values(participants.map((id) => ({ tenant_id: TENANT, id, email: `${id}@example.com`, first_name: 'P', last_name: null, locale: null, country_code: 'US', referred_by: null, w9_on_file: 0, w9_on_file_at: null, payout_info_complete: 1, payout_info_completed_at: now, email_verified: 0, email_verified_at: null, password_hash: null, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db.destroy();
}

function sqliteWriter(file: string): Writer {
  const db = new Sqlite(file);
  // The same settings as the service's dialects, durability included.
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  const program = db.prepare('select * from programs where tenant_id = ? and id = ?');
  const participant = db.prepare('select * from participants where tenant_id = ? and id = ?');
  const event = db.prepare(EVENT_SQL + marks(10, false));
  const reward = db.prepare(REWARD_SQL + marks(14, false));
  const email = db.prepare(EMAIL_SQL + marks(21, false));
  const write = db.transaction((rows: Rows) => {
    event.run(rows.event);
    reward.run(rows.reward);
    email.run(rows.email);
  });
  return {
    read: async (programId, participantId) => ({ program: program.get(TENANT, programId), participant: participant.get(TENANT, participantId) as { email: string } | undefined }),
    write: async (rows) => write(rows),
  };
}

function postgresWriter(connectionString: string): Writer {
  const pool = new pg.Pool({ connectionString, max: 10 });
  return {
    async read(programId, participantId) {
      const [program, participant] = await Promise.all([
        pool.query({ name: 'program', text: 'select * from programs where tenant_id = $1 and id = $2', values: [TENANT, programId] }),
        pool.query({ name: 'participant', text: 'select * from participants where tenant_id = $1 and id = $2', values: [TENANT, participantId] }),
      ]);
      return { program: program.rows[0], participant: participant.rows[0] };
    },
    async write(rows) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query({ name: 'event', text: EVENT_SQL + marks(10, true), values: rows.event });
        await client.query({ name: 'reward', text: REWARD_SQL + marks(14, true), values: rows.reward });
        await client.query({ name: 'email', text: EMAIL_SQL + marks(21, true), values: rows.email });
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

await seed();
const store = url.startsWith('sqlite:') ? sqliteWriter(url.slice(7)) : postgresWriter(url);

const app = new Hono()
  .get('/health', (c) => c.json({ status: 'ok' }))
  .post('/v1/programs/:programId/events', async (c) => {
    const input = (await c.req.json()) as Input;
    if (typeof input.id !== 'string' || typeof input.type !== 'string' || typeof input.participantId !== 'string') return c.json({ error: 'invalid' }, 400);
    const programId = c.req.param('programId');
    const { program, participant } = await store.read(programId, input.participantId);
    if (!program || !participant) return c.json({ error: 'not found' }, 404);
    const now = new Date().toISOString();
    const rewardId = crypto.randomUUID();
    const emailId = crypto.randomUUID();
    const body = { event: { id: input.id, programId, type: input.type, participantId: input.participantId, occurredAt: now }, rewards: [{ id: rewardId }], emails: [{ id: emailId }] };
    const key = `${input.id}:bare:${input.participantId}`;
    await store.write({
      event: [TENANT, input.id, programId, input.type, input.participantId, JSON.stringify(input.data ?? {}), now, 'hash', JSON.stringify(body), now],
      reward: [rewardId, TENANT, programId, input.id, 'bare', input.participantId, 'credit', 500, 'USD', null, 'available', now, now, now],
      email: [emailId, TENANT, programId, input.participantId, `reward:${key}`, 'reward', 'reward', participant.email, 'You earned a reward', '<p>$5.00</p>', '$5.00', 'queued', 0, now, null, null, `<${key}@bench>`, null, now, now, null],
    });
    return c.json(body, 201);
  });

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3001) });
