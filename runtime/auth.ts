import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context.ts';
import { AppError, apiKeyRequired } from './errors.ts';
import { constantTimeEqual, sha256Hex } from './security/hashing.ts';
import { findTenantByKeyHash } from './store/tenant-queries.ts';

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header('authorization'));
  if (!token || !constantTimeEqual(token, c.get('services').config.ADMIN_TOKEN)) {
    throw new AppError('unauthorized', 'an operator token is required (Authorization: Bearer <ADMIN_TOKEN>)');
  }
  await next();
});

/** Resolves the tenant from its API key; every query below runs scoped to it. */
export const requireTenant = createMiddleware<AppEnv>(async (c, next) => {
  const key = bearer(c.req.header('authorization'));
  const tenant = key ? await findTenantByKeyHash(c.get('services').store.db, await sha256Hex(key)) : undefined;
  if (!tenant) throw apiKeyRequired();
  c.set('tenant', tenant);
  await next();
});

/** The hash of the request's API key, for a route that checks the key in its own first read (posting an event); 401 without one. */
export async function apiKeyHash(c: Context<AppEnv>): Promise<string> {
  const key = bearer(c.req.header('authorization'));
  if (!key) throw apiKeyRequired();
  return sha256Hex(key);
}

/** Whether a key hash belongs to a tenant: for such a route's answers that come before its read. */
export async function isValidKey(c: Context<AppEnv>, keyHash: string): Promise<boolean> {
  return (await findTenantByKeyHash(c.get('services').store.db, keyHash)) !== undefined;
}
