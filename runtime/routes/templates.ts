import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { findProgram, listTemplates, upsertTemplate } from '../store/program-queries.ts';
import { inTransaction } from '../store/store.ts';
import { DEFAULT_TEMPLATES } from '../../plugins/mail/templates/default-templates.ts';
import { tryTemplate } from '../../plugins/mail/templates/template-renderer.ts';
import { previewData } from '../services/template-preview.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { AnyObject } from '../openapi/shapes.ts';

const Key = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'));
const TemplateBody = v.strictObject({
  subject: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(300)),
  html: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(200_000)),
  text: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(100_000)),
});

export const templateRoutes = new Hono<AppEnv>()
  .get('/:programId/templates', async (c) => {
    const program = await findProgram(c.var.services.store.db, c.var.tenant.id, c.req.param('programId'));
    if (!program) throw new AppError('not_found', 'program not found');
    const own = await listTemplates(c.var.services.store.db, c.var.tenant.id, program.id);
    type Listed = { key: string; subject: string; html: string; text: string; source: 'program' | 'default'; updatedAt: string | null };
    const byKey = new Map<string, Listed>(own.map((t) => [t.key, { key: t.key, subject: t.subject, html: t.html, text: t.text, source: 'program', updatedAt: t.updated_at }]));
    for (const [key, t] of Object.entries(DEFAULT_TEMPLATES)) if (!byKey.has(key)) byKey.set(key, { key, ...t, source: 'default', updatedAt: null });
    return c.json({ templates: [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key)) });
  })
  .put('/:programId/templates/:key', async (c) => {
    const { services, tenant } = c.var;
    const program = await findProgram(services.store.db, tenant.id, c.req.param('programId'));
    if (!program) throw new AppError('not_found', 'program not found');
    const key = parseInput(Key, c.req.param('key'), 'template key');
    const body = parseInput(TemplateBody, await readJson(c));
    // Saved only if it renders with sample data within the limits: an event never meets a template that cannot.
    const tried = tryTemplate(body, previewData(program.name, key));
    if (!tried.ok) throw new AppError('validation_failed', 'The template does not render', tried.issues);
    const now = services.clock.now().toISOString();
    await inTransaction(services.store, (db) => upsertTemplate(db, { tenant_id: tenant.id, program_id: program.id, key, ...body, updated_at: now }));
    return c.json({ key, ...body, source: 'program', updatedAt: now });
  })
  .post('/:programId/templates/:key/preview', async (c) => {
    const program = await findProgram(c.var.services.store.db, c.var.tenant.id, c.req.param('programId'));
    if (!program) throw new AppError('not_found', 'program not found');
    const body = parseInput(TemplateBody, await readJson(c));
    const tried = tryTemplate(body, previewData(program.name, c.req.param('key')));
    if (!tried.ok) throw new AppError('validation_failed', 'The template does not render', tried.issues);
    return c.json(tried.rendered);
  });

const TemplateShape = v.strictObject({ key: v.string(), subject: v.string(), html: v.string(), text: v.string(), source: v.picklist(['program', 'default']), updatedAt: v.nullable(v.string()) });

export const templateDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/programs/:programId/templates', auth: 'apiKey', tags: ['templates'],
    summary: "The program's templates, with the defaults it has not replaced",
    responses: { 200: { description: 'the templates', schema: v.strictObject({ templates: v.array(TemplateShape) }) } },
  },
  {
    method: 'put', path: '/v1/programs/:programId/templates/:key', auth: 'apiKey', tags: ['templates'],
    summary: 'Save a template (only if it renders with sample data)',
    params: { key: Key },
    body: TemplateBody,
    responses: { 200: { description: 'the template', schema: TemplateShape } },
  },
  {
    method: 'post', path: '/v1/programs/:programId/templates/:key/preview', auth: 'apiKey', tags: ['templates'],
    summary: 'Render a template with sample data, without saving it',
    body: TemplateBody,
    responses: { 200: { description: 'the rendered subject, html and text', schema: AnyObject } },
  },
];
