import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import { cancelReward } from '../services/reward-service.ts';
import { listRewardsPage } from '../store/reward-queries.ts';
import { rewardView } from '../services/views.ts';
import { CreatedRange, decodeCursor, nextCursor, PageQuery } from './pagination.ts';
import { REWARD_KINDS } from '../../rules/schema.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { NextShape, RewardShape } from '../openapi/shapes.ts';

const ListQuery = v.strictObject({
  programId: v.optional(Id),
  participantId: v.optional(Id),
  status: v.optional(v.picklist(['available', 'pending_payout_info', 'cancelled'], 'must be available, pending_payout_info or cancelled')),
  kind: v.optional(v.picklist(REWARD_KINDS, `must be one of ${REWARD_KINDS.join(', ')}`)),
  ...CreatedRange,
  ...PageQuery,
});

export const rewardRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const f = parseInput(ListQuery, c.req.query(), 'query');
    const rows = await listRewardsPage(c.var.services.store.db, c.var.tenant.id, { ...f, before: decodeCursor(f.before) });
    return c.json({ rewards: rows.map(rewardView), next: nextCursor(rows, f.limit) });
  })
  .post('/:rewardId/cancel', async (c) => {
    const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
    const result = await cancelReward(c.var.services, c.var.tenant, id);
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
    method: 'post', path: '/v1/rewards/:rewardId/cancel', auth: 'apiKey', tags: ['rewards'],
    summary: 'Cancel a reward',
    params: { rewardId: Id },
    responses: { 200: { description: 'the reward, cancelled', schema: RewardShape } },
    errors: ['conflict'],
  },
];
