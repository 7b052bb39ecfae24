import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { parseJsonBody } from '../http.ts';
import { idempotent } from '../idempotency.ts';
import { Id } from './schemas.ts';
import { CreatedRange, decodeCursor, nextCursor, PageQuery } from './pagination.ts';
import { decideReview, decideReviews, listReviews } from '../services/review-service.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { NextShape, ReviewOutcomeShape, ReviewShape } from '../openapi/shapes.ts';

// The review queue: rewards the referral checks sent to review, and the
// decisions on them (one at a time or up to 100 at once).

const MAX_BULK = 100;

/** Kept in the reward's history: bounded, and blank reads as no note. */
const Note = v.pipe(v.string('must be a string'), v.trim(), v.maxLength(1000, 'must be at most 1000 characters'), v.description('why, for the history (at most 1000 characters)'));

const DecisionBody = v.strictObject({ note: v.optional(Note) });

const BulkBody = v.strictObject({
  decision: v.picklist(['approve', 'deny'], 'must be approve or deny'),
  rewardIds: v.pipe(
    v.array(Id, 'must be a list of reward ids'),
    v.minLength(1, 'must name at least one reward'),
    v.maxLength(MAX_BULK, `must name at most ${MAX_BULK} rewards`),
    v.check((ids) => new Set(ids).size === ids.length, 'must name each reward once'),
  ),
  note: v.optional(Note),
});

const ListQuery = v.strictObject({
  programId: v.optional(Id),
  participantId: v.optional(Id),
  ...CreatedRange,
  ...PageQuery,
});

const noteOf = (note: string | undefined) => (note ? note : null);

async function decisionBody(text: string) {
  // An empty body is a decision without a note.
  return parseInput(DecisionBody, text.trim() === '' ? {} : parseJsonBody(text));
}

export const reviewRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const f = parseInput(ListQuery, c.req.query(), 'query');
    const { rows, reviews } = await listReviews(c.var.services, c.var.tenant, { ...f, before: decodeCursor(f.before) });
    return c.json({ reviews, next: nextCursor(rows, f.limit) });
  })
  .post('/decisions', idempotent('POST /v1/reviews/decisions'), async (c) => {
    const body = parseInput(BulkBody, parseJsonBody(await c.req.text()));
    const results = await decideReviews(c.var.services, c.var.tenant, body.rewardIds, body.decision, noteOf(body.note));
    return c.json({ decision: body.decision, results });
  });

/** Mounted under /v1/rewards beside the reward routes. */
export const rewardReviewRoutes = new Hono<AppEnv>()
  .post('/:rewardId/approve', async (c) => {
    const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
    const body = await decisionBody(await c.req.text());
    return c.json(await decideReview(c.var.services, c.var.tenant, id, 'approve', noteOf(body.note)));
  })
  .post('/:rewardId/deny', async (c) => {
    const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
    const body = await decisionBody(await c.req.text());
    return c.json(await decideReview(c.var.services, c.var.tenant, id, 'deny', noteOf(body.note)));
  });

export const reviewDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/reviews', auth: 'apiKey', tags: ['reviews'],
    summary: 'The review queue: pending rewards waiting for review, newest first, with the flags that sent them there',
    query: ListQuery,
    responses: { 200: { description: 'a page of rewards waiting for review', schema: v.strictObject({ reviews: v.array(ReviewShape), next: NextShape }) } },
  },
  {
    method: 'post', path: '/v1/reviews/decisions', auth: 'apiKey', tags: ['reviews'],
    summary: 'Approve or deny up to 100 rewards at once, answered per reward',
    description:
      'Each reward is decided as `approve` or `deny` would decide it alone, in its own transaction, so one that fails does not stop the rest: `results` has one entry per id, in order, with `status` 200 and the `reward`, or the status and `error` that reward would have answered (404 `not_found` for an unknown id or another tenant\'s, 409 `not_in_review` for one decided already). A retry with the same `Idempotency-Key` answers the first answer again instead of 409s.',
    body: BulkBody,
    idempotent: true,
    responses: { 200: { description: 'the decision and one result per reward id', schema: v.strictObject({ decision: v.picklist(['approve', 'deny']), results: v.array(ReviewOutcomeShape) }) } },
  },
  {
    method: 'post', path: '/v1/rewards/:rewardId/approve', auth: 'apiKey', tags: ['reviews'],
    summary: 'Approve a reward waiting for review',
    description:
      'Removes only the `review` reason: a reward still held (`hold`, `payout_info`, `w9_required`) stays `pending` for those; with none left it becomes `available` and its `reward` email goes. Recorded in its history as `review_approved` with the `note`. 409 `not_in_review` when it is not waiting for review (decided already, or never flagged).',
    params: { rewardId: Id },
    body: DecisionBody,
    bodyOptional: true,
    responses: { 200: { description: 'the reward, with its history and flags', schema: ReviewShape } },
    errors: ['not_in_review', 'conflict'],
  },
  {
    method: 'post', path: '/v1/rewards/:rewardId/deny', auth: 'apiKey', tags: ['reviews'],
    summary: 'Deny a reward waiting for review: it is cancelled',
    description: 'Cancels the reward, recorded in its history as `review_denied` with the `note`. 409 `not_in_review` when it is not waiting for review (decided already, or never flagged).',
    params: { rewardId: Id },
    body: DecisionBody,
    bodyOptional: true,
    responses: { 200: { description: 'the reward, cancelled, with its history and flags', schema: ReviewShape } },
    errors: ['not_in_review', 'conflict'],
  },
];
