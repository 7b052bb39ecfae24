import {
  CompiledQuery,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  SqliteAdapter,
  SqliteQueryCompiler,
  sql,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadataOptions,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TableMetadata,
} from 'kysely';

// Kysely over a D1 binding. D1 speaks SQLite, so Kysely's SQLite adapter and
// compiler apply; the driver and the introspector are D1's own:
// - D1 runs each statement by itself: there are no interactive transactions,
//   and Store.transactions is false so nothing asks for one. Exactly-once
//   rests on unique keys and conditional writes instead (see store.ts).
// - Kysely's SQLite introspector joins sqlite_master with pragma_table_info(),
//   which D1's authorizer refuses (SQLITE_AUTH); the Migrator needs it only to
//   find its own tables, so this one reads sqlite_master and PRAGMA table_info.

/** The part of a D1Database binding used here. */
export type D1DatabaseBinding = {
  prepare(query: string): {
    bind(...values: unknown[]): {
      all<T = Record<string, unknown>>(): Promise<{ results?: T[]; meta?: { changes?: number; last_row_id?: number | null } }>;
    };
  };
};

export function createD1Dialect(database: D1DatabaseBinding): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createDriver: () => createD1Driver(database),
    createIntrospector: (db) => createD1Introspector(db),
  };
}

function createD1Driver(database: D1DatabaseBinding): Driver {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const result = await database.prepare(query.sql).bind(...query.parameters).all<R>();
      const lastRowId = result.meta?.last_row_id;
      return {
        rows: result.results ?? [],
        numAffectedRows: BigInt(result.meta?.changes ?? 0),
        insertId: lastRowId === undefined || lastRowId === null ? undefined : BigInt(lastRowId),
      };
    },
    async *streamQuery() {
      throw new Error('D1 does not stream query results');
    },
  };
  const noTransactions = async () => {
    throw new Error('D1 has no interactive transactions; Store.transactions is false for d1');
  };
  return {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: noTransactions,
    commitTransaction: noTransactions,
    rollbackTransaction: noTransactions,
    releaseConnection: async () => {},
    destroy: async () => {},
  };
}

type ColumnRow = { name: string; type: string; notnull: number; dflt_value: unknown };

function createD1Introspector(db: Kysely<any>): DatabaseIntrospector {
  async function getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    let query = db
      .selectFrom('sqlite_master')
      .select(['name', 'type'])
      .where('type', 'in', ['table', 'view'])
      .where('name', 'not like', 'sqlite_%')
      .where(sql`substr(name, 1, 4)`, '!=', '_cf_')
      .orderBy('name');
    if (!options.withInternalKyselyTables) query = query.where('name', 'not in', [DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE]);
    const tables = (await query.execute()) as { name: string; type: string }[];
    const result: TableMetadata[] = [];
    for (const table of tables) {
      const { rows } = await sql<ColumnRow>`pragma table_info(${sql.id(table.name)})`.execute(db);
      result.push({
        name: table.name,
        isView: table.type === 'view',
        columns: rows.map((c) => ({ name: c.name, dataType: c.type, isNullable: !c.notnull, isAutoIncrementing: false, hasDefaultValue: c.dflt_value !== null })),
      });
    }
    return result;
  }
  return {
    getSchemas: async () => [],
    getTables,
    getMetadata: async (options) => ({ tables: await getTables(options) }),
  };
}
