import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi-types.ts';

// `import { createClient } from 'advocate-rules/client'`: a typed client for
// the API, generated from its OpenAPI document (openapi-typescript types over
// openapi-fetch), plus the webhook signature helpers. Web standards only:
// runs on Node 20+, Deno, Workers and browsers.

export type { components, paths };
export type ApiError = components['schemas']['Error'];

export type ClientOptions = {
  /** e.g. https://refer.example.com (no trailing /v1). */
  baseUrl: string;
  /** A tenant's API key, or the operator token for POST /v1/tenants. */
  apiKey?: string;
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
};

/**
 * Every path and method of the API, typed: `client.POST('/v1/programs', { body: { name } })`
 * answers `{ data }` on success and `{ error }` (the API's error shape) otherwise.
 */
export function createClient(o: ClientOptions): Client<paths> {
  return createFetchClient<paths>({
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    headers: { ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}), ...o.headers },
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
}

export { signPayload as signWebhook, verifySignature as verifyWebhook, SIGNATURE_TOLERANCE_SECONDS } from '../runtime/security/webhook-signature.ts';
