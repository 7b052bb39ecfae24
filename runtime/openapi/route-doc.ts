import type * as v from 'valibot';
import type { ErrorCode } from '../errors.ts';

// A route's description for the OpenAPI document, written next to the route and
// its valibot schemas (the same ones it validates with), so that adding a route
// and describing it is one local step.

/** Who may call: a tenant's API key, the operator token, a body signed with the webhook secret, or anyone. */
export type Auth = 'apiKey' | 'operator' | 'webhookSignature' | 'metricsToken' | 'none';

type AnySchema = v.GenericSchema;

export type ResponseDoc = {
  description: string;
  /** A JSON body; omitted for an HTML page (`html: true`), a redirect or no content (204). */
  schema?: AnySchema;
  html?: boolean;
  /** A plain-text body (Prometheus metrics). */
  text?: boolean;
  headers?: Record<string, string>;
};

export type RouteDoc = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The full path as Hono writes it (`/v1/programs/:programId`); the document turns it into `{programId}`. */
  path: string;
  auth: Auth;
  summary: string;
  description?: string;
  tags: string[];
  /** Path parameters not described here are documented as plain strings. */
  params?: Record<string, AnySchema>;
  /** A valibot object schema over the query string. */
  query?: v.ObjectSchema<v.ObjectEntries, any> | v.StrictObjectSchema<v.ObjectEntries, any>;
  body?: AnySchema;
  /** The body may be left out (an empty body reads as `{}`). */
  bodyOptional?: boolean;
  /** `form` for the HTML pages' url-encoded forms. */
  bodyType?: 'json' | 'form';
  responses: Partial<Record<200 | 201 | 202 | 204 | 303 | 503, ResponseDoc>>;
  /** The error codes this route answers besides the ones every route of its kind can (auth, JSON, size). */
  errors?: ErrorCode[];
  /** Honours `Idempotency-Key`. */
  idempotent?: boolean;
};
