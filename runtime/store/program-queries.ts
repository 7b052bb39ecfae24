import type { Db } from './store.ts';
import type { ProgramTable, RuleVersionTable, TemplateTable } from './database.ts';

export async function insertProgram(db: Db, row: ProgramTable): Promise<void> {
  await db.insertInto('programs').values(row).execute();
}

export async function findProgram(db: Db, tenantId: string, id: string) {
  return db.selectFrom('programs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function listPrograms(db: Db, tenantId: string) {
  return db.selectFrom('programs').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

export async function updateProgramSettings(db: Db, tenantId: string, id: string, settings: string, name: string, now: string) {
  await db.updateTable('programs').set({ settings, name, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function findRuleVersion(db: Db, tenantId: string, programId: string, version: number) {
  return db
    .selectFrom('rule_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function listRuleVersions(db: Db, tenantId: string, programId: string) {
  return db
    .selectFrom('rule_versions')
    .select(['version', 'content_hash', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('program_id', '=', programId)
    .orderBy('version', 'desc')
    .execute();
}

/**
 * Appends a version and activates it. The version number comes from the
 * primary key: two concurrent saves cannot both take the same number, the
 * loser retries with the next one.
 */
export async function appendRuleVersion(db: Db, row: Omit<RuleVersionTable, 'version'>, now: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const last = await db
      .selectFrom('rule_versions')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('program_id', '=', row.program_id)
      .executeTakeFirst();
    const version = Number(last?.max ?? 0) + 1;
    const inserted = await db
      .insertInto('rule_versions')
      .values({ ...row, version })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
      await activateRuleVersion(db, row.tenant_id, row.program_id, version, now);
      return version;
    }
    if (attempt > 20) throw new Error('could not allocate a rule version');
  }
}

export async function activateRuleVersion(db: Db, tenantId: string, programId: string, version: number, now: string) {
  await db
    .updateTable('programs')
    .set({ active_version: version, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', programId)
    .execute();
}

export async function listTemplates(db: Db, tenantId: string, programId: string) {
  return db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId).where('program_id', '=', programId).orderBy('key').execute();
}

/**
 * Writes a template and moves its program's templates_version on, the key
 * under which every instance caches the program's templates. Call it in a
 * transaction; on D1 the bump comes second, so a reader that sees the new
 * version finds the new template.
 */
export async function upsertTemplate(db: Db, row: TemplateTable) {
  await db
    .insertInto('templates')
    .values(row)
    .onConflict((oc) => oc.columns(['program_id', 'key']).doUpdateSet({ subject: row.subject, html: row.html, text: row.text, updated_at: row.updated_at }))
    .execute();
  await db
    .updateTable('programs')
    .set((eb) => ({ templates_version: eb('templates_version', '+', 1) }))
    .where('tenant_id', '=', row.tenant_id)
    .where('id', '=', row.program_id)
    .execute();
}
