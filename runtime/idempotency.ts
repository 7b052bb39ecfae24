import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context.ts';
import { AppError } from './errors.ts';
import { sha256Hex } from './security/hashing.ts';
import { claimIdempotencyKey, findIdempotencyKey, releaseIdempotencyKey, saveIdempotentAnswer } from './store/idempotency-queries.ts';

// `Idempotency-Key` on the POSTs that create something. The first request with
// a key runs and its successful answer is stored with the key; the same key
// with the same request answers that again (`Idempotent-Replayed: true`), with
// another request 409. A failed request stores nothing, so a corrected retry
// may reuse the key. Events have their own key, the event id. The stored
// answer is sealed like every secret at rest: some answers carry one (a new
// tenant's API key and webhook secret, shown once).

const KEY = /^[\x21-\x7e]{1,200}$/;

/** `scope` names the operation ("POST /v1/programs"): a key is unique per tenant and operation. */
export const idempotent = (scope: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    if (!KEY.test(key)) throw new AppError('bad_request', 'the Idempotency-Key header must be 1 to 200 visible ASCII characters');
    const { store, clock, secrets } = c.var.services;
    // The operator's requests (no tenant) share the scope ''.
    const ref = { tenant_id: c.var.tenant?.id ?? '', scope, key };
    const sealing = { tenantId: ref.tenant_id, field: `idempotent-answer\u0000${scope}\u0000${key}` };
    const request_hash = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`);

    if (!(await claimIdempotencyKey(store.db, { ...ref, request_hash, status: 0, response: '', created_at: clock.now().toISOString() }))) {
      const held = await findIdempotencyKey(store.db, ref);
      if (held && held.request_hash !== request_hash) {
        throw new AppError('idempotency_key_reused', `the Idempotency-Key "${key}" was already used for a different request`);
      }
      if (!held || held.status === 0) throw new AppError('conflict', `a request with the Idempotency-Key "${key}" is still being processed; retry shortly`);
      return new Response(await secrets.open(held.response, sealing), { status: held.status, headers: { 'content-type': 'application/json', 'Idempotent-Replayed': 'true' } });
    }
    try {
      await next();
    } finally {
      const res = c.res;
      if (res.status >= 200 && res.status < 300) await saveIdempotentAnswer(store.db, ref, res.status, await secrets.seal(await res.clone().text(), sealing));
      else await releaseIdempotencyKey(store.db, ref);
    }
  });
