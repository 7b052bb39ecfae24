import type { Db } from '../store/store.ts';
import { AppError } from '../errors.ts';
import { findRuleVersion, listTemplates } from '../store/program-queries.ts';
import { validateRuleset } from '../../rules/validate.ts';
import type { Ruleset } from '../../rules/schema.ts';
import { getCompiled, type CompiledRuleset } from '../../rules/compile.ts';
import { sha256Hex } from '../security/hashing.ts';
import { DEFAULT_TEMPLATES } from '../../plugins/mail/templates/default-templates.ts';

export type LoadedRuleset = { version: number; ruleset: Ruleset; compiled: CompiledRuleset; contentHash?: string };

/** A stored version was validated when saved; it compiles once per process, keyed by its content hash. */
export async function loadRuleset(db: Db, tenantId: string, programId: string, version: number): Promise<LoadedRuleset> {
  const row = await findRuleVersion(db, tenantId, programId, version);
  if (!row) throw new AppError('not_found', `rule version ${version} not found`);
  const ruleset = JSON.parse(row.document) as Ruleset;
  return { version, ruleset, compiled: getCompiled(row.content_hash, ruleset), contentHash: row.content_hash };
}

/** Validates a submitted document against the program's templates; 422 with JSON pointers otherwise. */
export async function checkRuleset(db: Db, tenantId: string, programId: string, doc: unknown, pointerBase = ''): Promise<Ruleset> {
  const own = new Set((await listTemplates(db, tenantId, programId)).map((t) => t.key));
  const result = validateRuleset(doc, { templateExists: (key) => own.has(key) || key in DEFAULT_TEMPLATES });
  if (result.ok) return result.ruleset;
  throw new AppError(
    'invalid_rules',
    `The rules are invalid (${result.issues.length} problem${result.issues.length === 1 ? '' : 's'})`,
    result.issues.map((i) => ({ pointer: pointerBase + i.pointer, message: i.message })),
  );
}

export async function compileDraft(ruleset: Ruleset): Promise<CompiledRuleset> {
  return getCompiled(await sha256Hex(JSON.stringify(ruleset)), ruleset);
}
