import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError, apiKeyRequired } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { readJson } from '../http.ts';
import { Id, IsoTime, JsonObject } from './schemas.ts';
import { ingestEvent, type Poster } from '../services/event-service.ts';
import { apiKeyHash, isValidKey } from '../auth.ts';
import { listEvents } from '../store/event-queries.ts';
import { findProgram } from '../store/program-queries.ts';
import { eventView } from '../services/views.ts';
import { CreatedRange, decodeCursor, nextCursor, PageQuery } from './pagination.ts';
import { hasHostileKeys } from '../../rules/json-safety.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { EventResultShape, EventShape, NextShape } from '../openapi/shapes.ts';

export const EventBody = v.strictObject({
  id: Id,
  type: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(100)),
  participantId: Id,
  data: v.optional(JsonObject, {}),
  occurredAt: v.optional(IsoTime),
});

/** Shared by the API-key route and the signed webhook route: same body, same answer. */
export async function handleEvent(c: Context<AppEnv>, poster: Poster, programId: string, raw: unknown) {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let outcome;
  try {
    const body = parseInput(EventBody, raw);
    const hostile = hasHostileKeys(body.data);
    if (hostile !== null) {
      throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: `/data${hostile}`, message: 'this key is reserved and cannot be used in event data' }]);
    }
    outcome = await ingestEvent(c.get('services'), poster, programId, body, (tenant) => c.set('tenant', tenant));
  } catch (error) {
    c.get('services').metrics.eventHandled(error instanceof AppError && error.status < 500 ? 'rejected' : 'error', seconds(), 0);
    throw error;
  }
  const created = outcome.status === 201 && !outcome.replayed;
  c.get('services').metrics.eventHandled(created ? 'created' : outcome.replayed ? 'replayed' : 'rejected', seconds(), outcome.rulesFired);
  if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
  if (outcome.timings) c.header('Server-Timing', Object.entries(outcome.timings).map(([name, ms]) => `${name};dur=${ms}`).join(', '));
  // The stored answer's own text: serialized once, in the transaction that stored it.
  return c.body(outcome.json, outcome.status, { 'content-type': 'application/json' });
}

const ListQuery = v.strictObject({ type: v.optional(v.pipe(v.string(), v.maxLength(100))), ...CreatedRange, ...PageQuery });

/**
 * `POST /v1/programs/:programId/events` with an API key. Mounted ahead of the
 * tenant API's key check (runtime/app.ts): the event's first read checks the
 * key itself, one statement less per event, and a revoked key fails at once
 * on every instance. An answer that comes before that read (a body refused)
 * is given only to a valid key; anyone else gets the 401 they would have.
 */
export async function postEventWithKey(c: Context<AppEnv>) {
  const keyHash = await apiKeyHash(c);
  try {
    return await handleEvent(c, { keyHash }, c.req.param('programId')!, await readJson(c));
  } catch (error) {
    if (error instanceof AppError && error.code !== 'unauthorized' && !c.get('tenant') && !(await isValidKey(c, keyHash))) throw apiKeyRequired();
    throw error;
  }
}

export const eventRoutes = new Hono<AppEnv>()
  .get('/:programId/events', async (c) => {
    const { db } = c.var.services.store;
    const f = parseInput(ListQuery, c.req.query(), 'query');
    const program = await findProgram(db, c.var.tenant.id, c.req.param('programId'));
    if (!program) throw new AppError('not_found', 'program not found');
    const rows = await listEvents(db, c.var.tenant.id, { ...f, programId: program.id, before: decodeCursor(f.before) });
    return c.json({ events: rows.map(eventView), next: nextCursor(rows, f.limit) });
  });

export const eventResponses = {
  201: { description: 'the event was evaluated; rewards and emails it created', schema: EventResultShape, headers: { 'Server-Timing': 'milliseconds per phase' } },
  200: { description: 'a replay: this event id was seen with the same body; the stored answer, `Idempotent-Replayed: true`', schema: EventResultShape, headers: { 'Idempotent-Replayed': '`true`' } },
};

export const eventDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/programs/:programId/events', auth: 'apiKey', tags: ['events'],
    summary: 'Post an event',
    description: 'The event `id` is its idempotency key: the same id and body answer the stored result; the same id with another body answers 409.',
    body: EventBody,
    responses: eventResponses,
    errors: ['idempotency_key_reused', 'conflict', 'evaluation_failed'],
  },
  {
    method: 'get', path: '/v1/programs/:programId/events', auth: 'apiKey', tags: ['events'],
    summary: "A program's events, newest first, by type and creation time",
    query: ListQuery,
    responses: { 200: { description: 'a page of events', schema: v.strictObject({ events: v.array(EventShape), next: NextShape }) } },
  },
];
