import type { Context } from 'hono';

/** Behind a TLS-terminating proxy the app sees http; the proxy's header tells the truth. */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https';
}

/** Only console paths may be a post-sign-in destination, so the parameter cannot redirect elsewhere. */
export function safeNext(next: string | undefined): string {
  return next && /^\/admin(\/[A-Za-z0-9._~\-/%?=&]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin';
}
