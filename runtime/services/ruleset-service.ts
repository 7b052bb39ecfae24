import type { Db } from '../store/store.ts';
import { AppError } from '../errors.ts';
import { findRuleVersion, listTemplates } from '../store/program-queries.ts';
import { validateRuleset } from '../../rules/validate.ts';
import type { Ruleset } from '../../rules/schema.ts';
import { getCompiled, type CompiledRuleset } from '../../rules/compile.ts';
import { sha256Hex } from '../security/hashing.ts';
import { createLru } from '../lru.ts';
import { DEFAULT_TEMPLATES } from '../../plugins/mail/templates/default-templates.ts';

export type LoadedRuleset = { version: number; ruleset: Ruleset; compiled: CompiledRuleset; contentHash?: string };

// A stored version never changes (a save or a rollback activates another
// number), so (tenant, program, version) names its content on every instance:
// an event reads the program's active version and finds the parsed, compiled
// rules here without reading or parsing the document again.
const loaded = createLru<string, LoadedRuleset>(1000);

/** A stored version was validated when saved; it is read, parsed and compiled once per process. */
export async function loadRuleset(db: Db, tenantId: string, programId: string, version: number): Promise<LoadedRuleset> {
  const key = `${tenantId}\u0000${programId}\u0000${version}`;
  const hit = loaded.get(key);
  if (hit) return hit;
  const row = await findRuleVersion(db, tenantId, programId, version);
  if (!row) throw new AppError('not_found', `rule version ${version} not found`);
  const ruleset = JSON.parse(row.document) as Ruleset;
  return loaded.set(key, { version, ruleset, compiled: getCompiled(row.content_hash, ruleset), contentHash: row.content_hash });
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
