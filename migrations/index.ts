import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-27T00-00-00_initial.ts';
import * as idempotencyKeys from './2026-11-30T15-00-00_idempotency_keys.ts';

// A static map rather than a folder scan, so bundled runtimes (Workers) that
// have no file system run the same migrations. Add each new migration here.
export const migrations: Record<string, Migration> = {
  '2026-11-27T00-00-00_initial': initial,
  '2026-11-30T15-00-00_idempotency_keys': idempotencyKeys,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
