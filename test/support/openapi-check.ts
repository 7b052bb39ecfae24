import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { openApiDocument } from '../../runtime/openapi/document.ts';
import type { RecordedExchange } from './app-harness.ts';

// Checks answers the tests recorded against the OpenAPI document: each one's
// method, path and status must be described, and its JSON body must validate
// against the schema described for it (ajv, JSON Schema 2020-12).

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };

const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(doc, 'openapi');

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
// Literal paths before templated ones, so /v1/participants never matches /v1/{x}.
const templates = Object.keys(doc.paths)
  .map((template) => ({ template, regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`), params: (template.match(/\{/g) ?? []).length }))
  .sort((a, b) => a.params - b.params);

const compiled = new Map<string, ValidateFunction>();

export function describedTemplate(method: string, path: string): string | null {
  const m = method.toLowerCase();
  return templates.find((t) => t.regex.test(path) && doc.paths[t.template][m])?.template ?? null;
}

/** The problems found, one line each; an empty list when every exchange is described and valid. */
export function checkExchanges(exchanges: readonly RecordedExchange[]): string[] {
  const problems: string[] = [];
  for (const x of exchanges) {
    const where = `${x.method} ${x.path} → ${x.status}`;
    const template = describedTemplate(x.method, x.path);
    if (!template) {
      problems.push(`${where}: no such operation in the document`);
      continue;
    }
    const response = doc.paths[template][x.method.toLowerCase()].responses[String(x.status)];
    if (!response) {
      problems.push(`${where}: status not described for ${x.method} ${template}`);
      continue;
    }
    if (!x.contentType?.includes('json')) continue;
    if (!response.content?.['application/json']) {
      problems.push(`${where}: a JSON body that the document does not describe`);
      continue;
    }
    const ref = `openapi#/paths/${escape(template)}/${x.method.toLowerCase()}/responses/${x.status}/content/application~1json/schema`;
    let validate = compiled.get(ref);
    if (!validate) compiled.set(ref, (validate = ajv.compile({ $ref: ref })));
    if (!validate(x.body)) problems.push(`${where}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(x.body).slice(0, 300)}`);
  }
  return problems;
}
