import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE, sql, type DatabaseIntrospector, type DatabaseMetadata, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';
import { D1Dialect } from 'kysely-d1';

// kysely-d1, with an introspector D1 accepts: Kysely's SQLite introspector
// joins sqlite_master with pragma_table_info(), which D1's authorizer refuses
// (SQLITE_AUTH), and the Migrator introspects to find its own tables.
// D1 runs each statement on its own; Store.transactions is false for it.

export type D1DatabaseBinding = ConstructorParameters<typeof D1Dialect>[0]['database'];

export function createD1Dialect(database: D1DatabaseBinding): D1Dialect {
  return new (class extends D1Dialect {
    override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
      return createD1Introspector(db);
    }
  })({ database });
}

type ColumnRow = { name: string; type: string; notnull: number; dflt_value: unknown; pk: number };

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
        columns: rows.map((c) => ({
          name: c.name,
          dataType: c.type,
          isNullable: !c.notnull,
          isAutoIncrementing: false,
          hasDefaultValue: c.dflt_value !== null,
        })),
      });
    }
    return result;
  }
  return {
    getSchemas: async (): Promise<SchemaMetadata[]> => [],
    getTables,
    getMetadata: async (options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> => ({ tables: await getTables(options) }),
  };
}
