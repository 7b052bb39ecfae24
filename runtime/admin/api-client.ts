import type { Context } from 'hono';
import type { AdminEnv, ApiAnswer } from './admin-env.ts';

/** Anything that answers the JSON API's requests: the app this console is mounted in. */
export type ApiHost = { fetch(request: Request, env?: unknown): Response | Promise<Response> };

/**
 * Calls the JSON API in-process with the session's API key, so every console
 * action goes through the same validation, auth and services as a client's
 * request does, and the console has no business rules of its own.
 */
export function apiFor(host: ApiHost, c: Context<AdminEnv>) {
  return async <T = any>(method: string, path: string, body?: unknown, extra?: Record<string, string>): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = {
      ...extra,
      authorization: `Bearer ${c.var.session.apiKey}`,
      'x-request-id': c.var.requestId,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const request = new Request(new URL(path, c.req.url), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const res = await host.fetch(request, c.env);
    const text = await res.text();
    let parsed: any = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not the API's JSON (a proxy's error page, say): the status still tells the story.
    }
    return { status: res.status, ok: res.ok, body: parsed, error: res.ok ? null : (parsed?.error ?? { code: 'internal', message: `HTTP ${res.status}`, details: [] }) };
  };
}
