import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import { cancelReward, getReward, redeemReward, rewardReceipt } from '../services/reward-service.ts';
import { toMinorUnits } from '../../plugins/rewards/money.ts';
import { parseJsonBody } from '../http.ts';

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

export const rewardRoutes = new Hono<AppEnv>()
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
