import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import { cancelReward, getReward, redeemReward, rewardReceipt } from '../services/reward-service.ts';
import { toMinorUnits } from '../../plugins/rewards/money.ts';
import { parseJsonBody } from '../http.ts';
import { listRewardsPage } from '../store/reward-queries.ts';
import { rewardView } from '../services/views.ts';
import { CreatedRange, decodeCursor, nextCursor, PageQuery } from './pagination.ts';
import { REWARD_KINDS } from '../../rules/schema.ts';
import { REWARD_STATUSES } from '../../plugins/rewards/reward-state.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { NextShape, RewardReceiptShape, RewardShape } from '../openapi/shapes.ts';

/** Major units with at most two decimals, as rule authors write amounts. */
const RedeemBody = v.strictObject({
  amount: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.check((n) => Number.isFinite(n) && n > 0, 'must be greater than 0'),
      v.check((n) => /^\d+(\.\d{1,2})?$/.test(String(n)), 'must have at most 2 decimals'),
    ),
  ),
});
const IdempotencyKey = v.pipe(v.string(), v.minLength(1), v.maxLength(200));

const ListQuery = v.strictObject({
  programId: v.optional(Id),
  participantId: v.optional(Id),
  status: v.optional(v.picklist(REWARD_STATUSES, `must be one of ${REWARD_STATUSES.join(', ')}`)),
  kind: v.optional(v.picklist(REWARD_KINDS, `must be one of ${REWARD_KINDS.join(', ')}`)),
  ...CreatedRange,
  ...PageQuery,
});

export const rewardRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const f = parseInput(ListQuery, c.req.query(), 'query');
    const rows = await listRewardsPage(c.var.services.store.db, c.var.tenant.id, { ...f, before: decodeCursor(f.before) });
    return c.json({ rewards: rows.map((r) => rewardView(r)), next: nextCursor(rows, f.limit) });
  })
  .get('/:rewardId', async (c) => {
    const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
    return c.json(await getReward(c.var.services, c.var.tenant, id));
  })
  .get('/:rewardId/receipt', async (c) => {
    const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
    return c.json(await rewardReceipt(c.var.services, c.var.tenant, id));
  })
  .post('/:rewardId/cancel', async (c) => {
    const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
    const result = await cancelReward(c.var.services, c.var.tenant, id);
    return c.json(result.reward);
  })
  .post('/:rewardId/redeem', async (c) => {
    const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
    const text = await c.req.text();
    // An empty body redeems everything that remains.
    const body = parseInput(RedeemBody, text.trim() === '' ? {} : parseJsonBody(text));
    const key = c.req.header('idempotency-key');
    const idempotencyKey = key === undefined ? undefined : parseInput(IdempotencyKey, key, 'Idempotency-Key');
    const result = await redeemReward(c.var.services, c.var.tenant, id, {
      amountMinor: body.amount === undefined ? undefined : toMinorUnits(body.amount),
      idempotencyKey,
    });
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result.reward);
  });

export const rewardDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/rewards', auth: 'apiKey', tags: ['rewards'],
    summary: 'List rewards, newest first, by program, participant, status, kind and creation time',
    query: ListQuery,
    responses: { 200: { description: 'a page of rewards', schema: v.strictObject({ rewards: v.array(RewardShape), next: NextShape }) } },
  },
  {
    method: 'get', path: '/v1/rewards/:rewardId', auth: 'apiKey', tags: ['rewards'],
    summary: 'One reward with its history',
    params: { rewardId: Id },
    responses: { 200: { description: 'the reward, with `history` (its transitions, oldest first)', schema: RewardShape } },
  },
  {
    method: 'get', path: '/v1/rewards/:rewardId/receipt', auth: 'apiKey', tags: ['rewards'],
    summary: 'What produced a reward: the event, the rule, its version and content hash, and the conditions that held',
    description: 'Read from the stored rule version, so it answers the same after the rules change.',
    params: { rewardId: Id },
    responses: { 200: { description: 'the receipt', schema: RewardReceiptShape } },
  },
  {
    method: 'post', path: '/v1/rewards/:rewardId/cancel', auth: 'apiKey', tags: ['rewards'],
    summary: 'Cancel a reward',
    params: { rewardId: Id },
    responses: { 200: { description: 'the reward, cancelled', schema: RewardShape } },
    errors: ['conflict'],
  },
  {
    method: 'post', path: '/v1/rewards/:rewardId/redeem', auth: 'apiKey', tags: ['rewards'],
    summary: 'Redeem all or part of an available reward',
    description:
      '`amount` (major units, at most two decimals) redeems part; without it (or with an empty body), all that remains. What is left stays `available`; fully used becomes `redeemed`. 409 `conflict` for any other state (pointer `/status`) or an amount above what remains (pointer `/amount`). A retry with the same `Idempotency-Key` answers the current reward with `Idempotent-Replayed: true` and redeems nothing (whatever its body); a malformed key is 422 `validation_failed`.',
    params: { rewardId: Id },
    body: RedeemBody,
    bodyOptional: true,
    idempotent: true,
    responses: { 200: { description: 'the reward, with its history', schema: RewardShape } },
    errors: ['conflict'],
  },
];
