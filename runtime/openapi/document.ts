import { buildOpenApiDocument } from './build-document.ts';
import { ROUTE_DOCS } from './route-docs.ts';

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of this API, built once per process from the routes' own schemas. */
export function openApiDocument(): Record<string, unknown> {
  return (cached ??= buildOpenApiDocument(ROUTE_DOCS, { version: '1.0.0' }));
}
