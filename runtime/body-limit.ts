import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Reads the request body as text straight from the runtime's own request
 * object, refusing past `maxBytes` with `tooLarge()`; null where the runtime
 * has no such path (app.request in tests, Deno, Workers). On Node this skips
 * the WHATWG Request and the web streams the adapter would build per request.
 */
export type DirectBodyReader = (c: Context, maxBytes: number, tooLarge: () => Error) => Promise<string> | null;

export type BodyLimitOptions = { maxSize: number; onError: (c: Context) => never; direct?: DirectBodyReader };

/**
 * Hono's bodyLimit, with the same bound and the same answer, without making
 * every request pay for a full Request: hono's first asks for `raw.body`,
 * which on Node builds the Request and its stream even for a GET.
 * - GET and HEAD carry no body a handler reads: nothing to bound.
 * - A Content-Length without Transfer-Encoding is the body's exact length
 *   (the HTTP parser stops there): over the bound is the same 413 at once;
 *   under it, the body is read by the runtime's direct reader when there is
 *   one, and left to the Request otherwise, as hono does.
 * - Anything else (chunked) goes through hono's bodyLimit, which reads and counts.
 * Multipart bodies are never read as text (a file part need not be UTF-8).
 */
export function limitBody(options: BodyLimitOptions): MiddlewareHandler {
  const counted = bodyLimit({ maxSize: options.maxSize, onError: options.onError });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    if (parseInt(length, 10) > options.maxSize) return options.onError(c);
    if (options.direct && !c.req.header('content-type')?.toLowerCase().startsWith('multipart/')) {
      const text = options.direct(c, options.maxSize, () => {
        try {
          return options.onError(c);
        } catch (error) {
          return error as Error;
        }
      });
      if (text) {
        // Read at once (the bytes arrive anyway); a body no handler asks for must not become an unhandled rejection.
        text.catch(() => {});
        // Where hono's own text()/json()/parseBody() look first (it keeps promises there; its type says methods).
        (c.req.bodyCache as Record<string, Promise<unknown>>).text = text;
      }
    }
    return next();
  };
}
