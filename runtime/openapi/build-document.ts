import type * as v from 'valibot';
import { toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import { ERROR_STATUS, type ErrorCode } from '../errors.ts';
import type { Auth, RouteDoc } from './route-doc.ts';
import { documentedOverride } from './documented-as.ts';
import {
  EmailDetailShape,
  EmailShape,
  ErrorShape,
  EventResultShape,
  EventShape,
  ParticipantShape,
  ParticipantWithStatsShape,
  ProgramShape,
  RewardHistoryShape,
  RewardShape,
  SuppressionShape,
  WebhookDeliveryShape,
  WebhookEndpointShape,
} from './shapes.ts';

type Json = Record<string, unknown>;

/** Hono's `/v1/programs/:programId` is OpenAPI's `/v1/programs/{programId}`. */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');

/** Answer shapes every client meets, named once under components/schemas (and so in the typed client). */
const SHARED = {
  Error: ErrorShape,
  Program: ProgramShape,
  Participant: ParticipantShape,
  ParticipantWithStats: ParticipantWithStatsShape,
  Reward: RewardShape,
  RewardHistoryEntry: RewardHistoryShape,
  Email: EmailShape,
  EmailDetail: EmailDetailShape,
  Event: EventShape,
  EventResult: EventResultShape,
  Suppression: SuppressionShape,
  WebhookEndpoint: WebhookEndpointShape,
  WebhookDelivery: WebhookDeliveryShape,
};

const CONFIG = {
  target: 'draft-2020-12',
  errorMode: 'ignore',
  definitions: SHARED,
  overrideRef: ({ referenceId }: { referenceId: string }) => `#/components/schemas/${referenceId}`,
  overrideSchema: ({ valibotSchema }: { valibotSchema: object }) => documentedOverride(valibotSchema) as never,
} as const;

function schemaOf(schema: v.GenericSchema, typeMode: 'input' | 'output'): Json {
  // Checks and transforms have no JSON Schema form; the route still enforces them, the document states the rest.
  const { $schema: _, $defs: __, ...json } = toJsonSchema(schema, { ...CONFIG, typeMode }) as Json;
  return json;
}

function sharedSchemas(): Json {
  const defs = toJsonSchemaDefs(SHARED, { target: 'draft-2020-12', errorMode: 'ignore', typeMode: 'output', overrideRef: CONFIG.overrideRef }) as unknown as Record<string, Json>;
  return Object.fromEntries(Object.entries(defs).map(([name, { $schema: _, ...json }]) => [name, json]));
}

const SECURITY: Record<Auth, Json[]> = {
  apiKey: [{ apiKey: [] }],
  operator: [{ operatorToken: [] }],
  webhookSignature: [{ webhookSignature: [] }],
  metricsToken: [{ metricsToken: [] }],
  none: [],
};

/** The errors every route of a kind can answer, besides its own. */
function implicitErrors(route: RouteDoc): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (route.auth === 'apiKey' || route.auth === 'operator' || route.auth === 'metricsToken') codes.push('unauthorized');
  if (route.auth === 'webhookSignature') codes.push('invalid_signature');
  if (route.body) codes.push('invalid_json', 'payload_too_large', 'validation_failed');
  if (route.query || route.params) codes.push('validation_failed');
  if (route.path.includes('/:')) codes.push('not_found');
  if (route.idempotent) codes.push('bad_request', 'idempotency_key_reused', 'conflict');
  return codes;
}

function operation(route: RouteDoc): Json {
  const parameters: Json[] = [];
  for (const [, name] of route.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    const schema = route.params?.[name];
    parameters.push({ name, in: 'path', required: true, schema: schema ? schemaOf(schema, 'input') : { type: 'string' } });
  }
  if (route.query) {
    const json = schemaOf(route.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      parameters.push({ name, in: 'query', required: json.required?.includes(name) ?? false, schema });
    }
  }
  if (route.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Repeating a request with the same key and body answers the first answer again (with `Idempotent-Replayed: true`); the same key with another body answers 409.',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    });
  }
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const headers: Json = {};
    for (const [name, description] of Object.entries(r.headers ?? {})) headers[name] = { description, schema: { type: 'string' } };
    if (route.idempotent) headers['Idempotent-Replayed'] = { description: '`true` when this is the stored answer to an earlier request with the same key', schema: { type: 'string', enum: ['true'] } };
    responses[status] = {
      description: r.description,
      ...(Object.keys(headers).length ? { headers } : {}),
      ...(r.schema ? { content: { 'application/json': { schema: schemaOf(r.schema, 'output') } } } : r.html ? { content: { 'text/html': { schema: { type: 'string' } } } } : r.text ? { content: { 'text/plain': { schema: { type: 'string' } } } } : {}),
    };
  }
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of [...implicitErrors(route), ...(route.errors ?? [])]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `error: ${[...codes].map((c) => `\`${c}\``).join(', ')}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: `${route.method}${openApiPath(route.path).replace(/\{([^}]+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    security: SECURITY[route.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.bodyOptional,
            content: { [route.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json']: { schema: schemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: readonly RouteDoc[], o: { version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    if (paths[path]?.[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is described twice`);
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'advocate-rules',
      version: o.version,
      description: 'Referral and advocacy programs: JSON rules, events, rewards and emails. Errors share one shape (`Error`). Lists page newest first with `limit` and `before` (the previous page\'s `next`).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: sharedSchemas(),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: "A tenant's API key (returned once by POST /v1/tenants)." },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'The operator token (ADMIN_TOKEN).' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The metrics token (METRICS_TOKEN); /metrics is off without it.' },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Advocate-Signature',
          description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the webhook secret>`.',
        },
      },
    },
  };
}
