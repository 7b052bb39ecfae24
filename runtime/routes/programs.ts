import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { readJson } from '../http.ts';
import { idempotent } from '../idempotency.ts';
import { parseInput } from '../validation.ts';
import { findProgram, insertProgram, listPrograms, updateProgramSettings } from '../store/program-queries.ts';
import { ProgramSettingsSchema } from '../services/program-settings.ts';
import { programView } from '../services/views.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { ProgramShape } from '../openapi/shapes.ts';

const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'is required'), v.maxLength(200));
const CreateBody = v.strictObject({ name: Name, settings: v.optional(ProgramSettingsSchema, {}) });
const PatchBody = v.strictObject({ name: v.optional(Name), settings: v.optional(v.record(v.string(), v.unknown())) });

export const programRoutes = new Hono<AppEnv>()
  .post('/', idempotent('POST /v1/programs'), async (c) => {
    const body = parseInput(CreateBody, await readJson(c));
    const now = c.var.services.clock.now().toISOString();
    const row = { id: crypto.randomUUID(), tenant_id: c.var.tenant.id, name: body.name, settings: JSON.stringify(body.settings), active_version: null, templates_version: 0, created_at: now, updated_at: now };
    await insertProgram(c.var.services.store.db, row);
    return c.json(programView(row), 201);
  })
  .get('/', async (c) => c.json({ programs: (await listPrograms(c.var.services.store.db, c.var.tenant.id)).map(programView) }))
  .get('/:programId', async (c) => {
    const row = await findProgram(c.var.services.store.db, c.var.tenant.id, c.req.param('programId'));
    if (!row) throw new AppError('not_found', 'program not found');
    return c.json(programView(row));
  })
  .patch('/:programId', async (c) => {
    const { db } = c.var.services.store;
    const row = await findProgram(db, c.var.tenant.id, c.req.param('programId'));
    if (!row) throw new AppError('not_found', 'program not found');
    const body = parseInput(PatchBody, await readJson(c));
    // Settings merge over the stored ones (null removes one, back to its default), then the whole is validated again.
    const merged: Record<string, unknown> = { ...JSON.parse(row.settings), ...(body.settings ?? {}) };
    for (const [key, value] of Object.entries(body.settings ?? {})) if (value === null) delete merged[key];
    const settings = parseInput(v.object({ settings: ProgramSettingsSchema }), { settings: merged }).settings;
    await updateProgramSettings(db, c.var.tenant.id, row.id, JSON.stringify(settings), body.name ?? row.name, c.var.services.clock.now().toISOString());
    return c.json(programView((await findProgram(db, c.var.tenant.id, row.id))!));
  });

export const programDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/programs', auth: 'apiKey', tags: ['programs'],
    summary: 'Create a program',
    body: CreateBody,
    idempotent: true,
    responses: { 201: { description: 'the program', schema: ProgramShape } },
  },
  {
    method: 'get', path: '/v1/programs', auth: 'apiKey', tags: ['programs'],
    summary: 'List the programs',
    responses: { 200: { description: 'every program of the tenant', schema: v.strictObject({ programs: v.array(ProgramShape) }) } },
  },
  {
    method: 'get', path: '/v1/programs/:programId', auth: 'apiKey', tags: ['programs'],
    summary: 'Read a program',
    responses: { 200: { description: 'the program', schema: ProgramShape } },
  },
  {
    method: 'patch', path: '/v1/programs/:programId', auth: 'apiKey', tags: ['programs'],
    summary: 'Rename a program or change settings (merged over the stored ones; a setting set to null is removed, back to its default)',
    body: PatchBody,
    responses: { 200: { description: 'the program', schema: ProgramShape } },
  },
];
