import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import { cancelReward } from '../services/reward-service.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { RewardShape } from '../openapi/shapes.ts';

export const rewardRoutes = new Hono<AppEnv>().post('/:rewardId/cancel', async (c) => {
  const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
  const result = await cancelReward(c.var.services, c.var.tenant, id);
  return c.json(result.reward);
});

export const rewardDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/rewards/:rewardId/cancel', auth: 'apiKey', tags: ['rewards'],
    summary: 'Cancel a reward',
    params: { rewardId: Id },
    responses: { 200: { description: 'the reward, cancelled', schema: RewardShape } },
    errors: ['conflict'],
  },
];
