import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv, Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { readJson } from '../http.ts';
import { Id, IsoTime, JsonObject } from './schemas.ts';
import { ingestEvent } from '../services/event-service.ts';
import { hasHostileKeys } from '../../rules/json-safety.ts';

export const EventBody = v.strictObject({
  id: Id,
  type: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(100)),
  participantId: Id,
  data: v.optional(JsonObject, {}),
  occurredAt: v.optional(IsoTime),
});

/** Shared by the API-key route and the signed webhook route: same body, same answer. */
export async function handleEvent(c: Context<AppEnv>, tenant: Tenant, programId: string, raw: unknown) {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let outcome;
  try {
    const body = parseInput(EventBody, raw);
    const hostile = hasHostileKeys(body.data);
    if (hostile !== null) {
      throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: `/data${hostile}`, message: 'this key is reserved and cannot be used in event data' }]);
    }
    outcome = await ingestEvent(c.var.services, tenant, programId, body);
  } catch (error) {
    c.var.services.metrics.eventHandled(error instanceof AppError && error.status < 500 ? 'rejected' : 'error', seconds(), 0);
    throw error;
  }
  const created = outcome.status === 201 && !outcome.replayed;
  const fired = created ? ((outcome.body as { fired?: unknown[] }).fired?.length ?? 0) : 0;
  c.var.services.metrics.eventHandled(created ? 'created' : outcome.replayed ? 'replayed' : 'rejected', seconds(), fired);
  if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
  if (outcome.timings) c.header('Server-Timing', Object.entries(outcome.timings).map(([name, ms]) => `${name};dur=${ms}`).join(', '));
  return c.json(outcome.body, outcome.status);
}

export const eventRoutes = new Hono<AppEnv>().post('/:programId/events', async (c) => {
  return handleEvent(c, c.var.tenant, c.req.param('programId'), await readJson(c));
});
