import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { idempotent } from '../idempotency.ts';
import { parseInput } from '../validation.ts';
import { readJson } from '../http.ts';
import { IsoTime } from './schemas.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { BacktestShape } from '../openapi/shapes.ts';
import { getBacktest, listProgramBacktests, startBacktest } from '../services/backtest/start.ts';

const Body = v.strictObject({
  rules: v.optional(v.array(v.unknown(), 'must be an array of rules')),
  conditions: v.optional(v.unknown()),
  version: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1), v.maxValue(999_999_999, 'must be a version number'))),
  from: IsoTime,
  to: IsoTime,
});

export const backtestRoutes = new Hono<AppEnv>()
  .post('/:programId/backtests', idempotent('POST /v1/programs/:programId/backtests'), async (c) => {
    const input = parseInput(Body, await readJson(c));
    return c.json(await startBacktest(c.var.services, c.var.tenant, c.req.param('programId'), input), 202);
  })
  .get('/:programId/backtests', async (c) => c.json({ backtests: await listProgramBacktests(c.var.services, c.var.tenant, c.req.param('programId')) }))
  .get('/:programId/backtests/:backtestId', async (c) => c.json(await getBacktest(c.var.services, c.var.tenant, c.req.param('programId'), c.req.param('backtestId'))));

const TAGS = ['backtests'];

export const backtestDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/programs/:programId/backtests', auth: 'apiKey', tags: TAGS,
    summary: "Replay the program's stored events in a window through candidate rules, and compare with what fired",
    description:
      'The candidate is `rules` (and `conditions`) inline, validated like `PUT …/rules`, or a stored `version`. The window `[from, to)` spans at most 366 days and 1,000,000 events (422 with pointer `/to` beyond). Nothing is written but the backtest: its first chunk of events is replayed in this request, the rest by the scheduler (Node, Deno) or the Cron Trigger (Workers), so a small window answers `done` with its report. One backtest per tenant runs at a time (409). See docs/api.md, "Backtests".',
    body: Body,
    idempotent: true,
    responses: { 202: { description: 'the backtest, with its progress (and its report when the window fit in one chunk)', schema: BacktestShape } },
    errors: ['conflict', 'invalid_rules'],
  },
  {
    method: 'get', path: '/v1/programs/:programId/backtests', auth: 'apiKey', tags: TAGS,
    summary: "The program's newest 100 backtests, without their reports",
    responses: { 200: { description: 'newest first', schema: v.strictObject({ backtests: v.array(BacktestShape) }) } },
  },
  {
    method: 'get', path: '/v1/programs/:programId/backtests/:backtestId', auth: 'apiKey', tags: TAGS,
    summary: 'A backtest: its progress and, when done, its report',
    responses: { 200: { description: 'the backtest', schema: BacktestShape } },
  },
];
