import { Migrator, PostgresAdapter, sql, type Kysely } from 'kysely';
import { migrationProvider } from '../../migrations/index.ts';

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: await postgresSchema(db) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Migrates up to and including `name` (tests of a later migration's data step). */
export async function migrateUpTo(db: Kysely<any>, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: await postgresSchema(db) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/**
 * Kysely looks for its migration tables in every schema unless told which:
 * with another schema of the same database already migrated (parallel test
 * schemas, several deployments in one database) it would skip creating its
 * own and then fail to find it. Naming the current schema keeps it local.
 */
async function postgresSchema(db: Kysely<any>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}
