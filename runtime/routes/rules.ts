import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { activateRuleVersion, appendRuleVersion, findProgram, findRuleVersion, listRuleVersions } from '../store/program-queries.ts';
import { inTransaction } from '../store/store.ts';
import { checkRuleset } from '../services/ruleset-service.ts';
import { dryRun, DryRunBody } from '../services/dry-run-service.ts';
import { sha256Hex } from '../security/hashing.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { AnyObject, RuleVersionShape } from '../openapi/shapes.ts';

async function programOr404(c: { var: AppEnv['Variables'] }, programId: string) {
  const row = await findProgram(c.var.services.store.db, c.var.tenant.id, programId);
  if (!row) throw new AppError('not_found', 'program not found');
  return row;
}

function versionBody(row: { version: number; document: string; created_at: string }, active: boolean) {
  return { version: row.version, active, createdAt: row.created_at, ...JSON.parse(row.document) };
}

// Bounded like the path form (9 digits): a larger number is no version and would overflow PostgreSQL's integer.
const RollbackBody = v.strictObject({ version: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(999_999_999, 'must be a version number')) });

export const ruleRoutes = new Hono<AppEnv>()
  .put('/:programId/rules', async (c) => {
    const { services, tenant } = c.var;
    const program = await programOr404(c, c.req.param('programId'));
    const ruleset = await checkRuleset(services.store.db, tenant.id, program.id, await readJson(c));
    const document = JSON.stringify(ruleset);
    const now = services.clock.now().toISOString();
    const content_hash = await sha256Hex(document);
    const version = await inTransaction(services.store, (db) =>
      appendRuleVersion(db, { program_id: program.id, tenant_id: tenant.id, document, content_hash, created_at: now }, now),
    );
    return c.json({ version, active: true, createdAt: now, ...ruleset });
  })
  .get('/:programId/rules', async (c) => {
    const program = await programOr404(c, c.req.param('programId'));
    if (program.active_version === null) return c.json({ version: null, active: false, rules: [] });
    const row = await findRuleVersion(c.var.services.store.db, c.var.tenant.id, program.id, program.active_version);
    return c.json(versionBody(row!, true));
  })
  .get('/:programId/rules/versions', async (c) => {
    const program = await programOr404(c, c.req.param('programId'));
    const rows = await listRuleVersions(c.var.services.store.db, c.var.tenant.id, program.id);
    return c.json({ versions: rows.map((r) => ({ version: r.version, active: r.version === program.active_version, contentHash: r.content_hash, createdAt: r.created_at })) });
  })
  .get('/:programId/rules/versions/:version', async (c) => {
    const program = await programOr404(c, c.req.param('programId'));
    const version = parseInput(v.pipe(v.string(), v.regex(/^[1-9]\d{0,8}$/, 'must be a version number')), c.req.param('version'), 'version');
    const row = await findRuleVersion(c.var.services.store.db, c.var.tenant.id, program.id, Number(version));
    if (!row) throw new AppError('not_found', 'rule version not found');
    return c.json(versionBody(row, row.version === program.active_version));
  })
  .post('/:programId/rules/rollback', async (c) => {
    const program = await programOr404(c, c.req.param('programId'));
    const body = parseInput(RollbackBody, await readJson(c));
    const row = await findRuleVersion(c.var.services.store.db, c.var.tenant.id, program.id, body.version);
    if (!row) throw new AppError('not_found', `rule version ${body.version} not found`, [{ pointer: '/version', message: 'no such version' }]);
    await activateRuleVersion(c.var.services.store.db, c.var.tenant.id, program.id, row.version, c.var.services.clock.now().toISOString());
    return c.json(versionBody(row, true));
  })
  .post('/:programId/evaluate', async (c) => {
    const program = await programOr404(c, c.req.param('programId'));
    const body = parseInput(DryRunBody, await readJson(c));
    return c.json(await dryRun(c.var.services, c.var.tenant, program, body));
  });

const RulesBody = v.pipe(v.looseObject({ rules: v.array(v.unknown()), conditions: v.optional(v.record(v.string(), v.unknown())) }), v.description('a rules document: see /schemas/rules.json'));
const VersionParam = v.pipe(v.string(), v.regex(/^[1-9]\d{0,8}$/));

export const ruleDocs: RouteDoc[] = [
  {
    method: 'put', path: '/v1/programs/:programId/rules', auth: 'apiKey', tags: ['rules'],
    summary: 'Save a new rules version and make it active',
    description: 'The document is described by the JSON Schema at `/schemas/rules.json`; every problem is reported with its JSON pointer.',
    body: RulesBody,
    responses: { 200: { description: 'the new version', schema: RuleVersionShape } },
    errors: ['invalid_rules'],
  },
  {
    method: 'get', path: '/v1/programs/:programId/rules', auth: 'apiKey', tags: ['rules'],
    summary: 'The active rules',
    responses: { 200: { description: 'the active version (`version: null` when none)', schema: RuleVersionShape } },
  },
  {
    method: 'get', path: '/v1/programs/:programId/rules/versions', auth: 'apiKey', tags: ['rules'],
    summary: 'Every rules version',
    responses: { 200: { description: 'the versions', schema: v.strictObject({ versions: v.array(v.strictObject({ version: v.number(), active: v.boolean(), contentHash: v.string(), createdAt: v.string() })) }) } },
  },
  {
    method: 'get', path: '/v1/programs/:programId/rules/versions/:version', auth: 'apiKey', tags: ['rules'],
    summary: 'One rules version',
    params: { version: VersionParam },
    responses: { 200: { description: 'the version', schema: RuleVersionShape } },
  },
  {
    method: 'post', path: '/v1/programs/:programId/rules/rollback', auth: 'apiKey', tags: ['rules'],
    summary: 'Make an earlier version active again',
    body: RollbackBody,
    responses: { 200: { description: 'the version now active', schema: RuleVersionShape } },
  },
  {
    method: 'post', path: '/v1/programs/:programId/evaluate', auth: 'apiKey', tags: ['rules'],
    summary: 'Dry run: evaluate an event (against the active rules or a draft) and explain every condition',
    description: 'Writes nothing.',
    body: DryRunBody,
    responses: { 200: { description: 'what would fire, and why', schema: AnyObject } },
    errors: ['invalid_rules', 'evaluation_failed'],
  },
];
