import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { AnyObject } from '../openapi/shapes.ts';
import { rulesJsonSchema } from '../../rules/json-schema.ts';

// Machine-readable descriptions, public so editors and generators can fetch them.
// The OpenAPI document is handed in: it describes this file too, and building it here would be an import cycle.

export function createSpecRoutes(openApi: () => Record<string, unknown>) {
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => c.json(openApi()))
    .get('/schemas/rules.json', (c) => c.body(JSON.stringify(rulesJsonSchema()), 200, { 'content-type': 'application/schema+json' }));
}

export const specDocs: RouteDoc[] = [
  {
    method: 'get', path: '/openapi.json', auth: 'none', tags: ['specs'],
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'the OpenAPI document', schema: AnyObject } },
  },
  {
    method: 'get', path: '/schemas/rules.json', auth: 'none', tags: ['specs'],
    summary: 'The JSON Schema (2020-12) of a rules document, for editors (`"$schema"`) and validators',
    responses: { 200: { description: 'the JSON Schema', schema: AnyObject } },
  },
];
