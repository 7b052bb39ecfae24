import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import { cancelReward } from '../services/reward-service.ts';

export const rewardRoutes = new Hono<AppEnv>().post('/:rewardId/cancel', async (c) => {
  const id = parseInput(Id, c.req.param('rewardId'), 'reward id');
  const result = await cancelReward(c.var.services, c.var.tenant, id);
  return c.json(result.reward);
});
