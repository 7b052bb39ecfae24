import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import { requestIsHttps } from '../request-client.ts';

/** Behind a TLS-terminating proxy the app sees http; a trusted proxy's header tells the truth (TRUST_PROXY). */
export function isHttps(c: Context): boolean {
  return requestIsHttps(c as Context<AppEnv>);
}

/** Only console paths may be a post-sign-in destination, so the parameter cannot redirect elsewhere. */
export function safeNext(next: string | undefined): string {
  return next && /^\/admin(\/[A-Za-z0-9._~\-/%?=&]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin';
}
