import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { Id } from './schemas.ts';
import { getParticipant, putParticipant } from '../services/participant-service.ts';
import { findParticipant, listParticipants } from '../store/participant-queries.ts';
import { decodeCursor, nextCursor, PageQuery } from './pagination.ts';
import { findProgram } from '../store/program-queries.ts';
import { participantRewards } from '../services/reward-service.ts';
import { participantBody, programView } from '../services/views.ts';
import { PENDING_REASONS } from '../../plugins/rewards/reward-state.ts';
import { isSingleAddress } from '../../plugins/mail/address.ts';
import { documentedAs } from '../openapi/documented-as.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { NextShape, ParticipantShape, ParticipantWithStatsShape, RewardShape } from '../openapi/shapes.ts';

const Email = v.pipe(v.string(), v.trim(), v.maxLength(254), v.check(isSingleAddress, 'must be exactly one email address'));
const Text = v.nullable(v.pipe(v.string(), v.maxLength(200), v.check((s) => !/[\r\n\u0000]/.test(s), 'must be one line')));

const ParticipantBody = v.strictObject({
  email: Email,
  firstName: v.optional(Text),
  lastName: v.optional(Text),
  locale: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag such as en-US')))),
  countryCode: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as US')))),
  referredBy: v.optional(v.nullable(Id)),
  w9OnFile: v.optional(v.boolean()),
  payoutInfoComplete: v.optional(v.boolean()),
  unsubscribed: v.optional(v.boolean()),
});

/** A yes/no filter in a query string. */
const Flag = (description: string) =>
  documentedAs(v.optional(v.pipe(v.picklist(['true', 'false'], 'must be true or false'), v.transform((s) => s === 'true'))), { type: 'boolean', description });
const PutQuery = v.strictObject({
  programId: v.optional(v.pipe(v.string(), v.maxLength(100), v.description("apply this program's referral-check outcomes: a `deny` refuses a `referredBy` (422); without it the checks only record their flags"))),
});

const ListQuery = v.strictObject({
  email: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(254), v.description('only participants whose email starts with this (case-insensitive)'))),
  referredBy: v.optional(v.pipe(Id, v.description('only participants this participant referred'))),
  w9OnFile: Flag('only participants whose W-9 is (true) or is not (false) on file'),
  payoutInfoComplete: Flag('only participants whose payout details are (true) or are not (false) complete'),
  unsubscribed: Flag('only participants who did (true) or did not (false) unsubscribe from email-action emails'),
  waitingFor: v.optional(v.pipe(v.picklist(PENDING_REASONS, `must be one of ${PENDING_REASONS.join(', ')}`), v.description('only participants with a pending reward waiting for this (w9_required: a W-9 is required)'))),
  ...PageQuery,
});

export const participantRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const f = parseInput(ListQuery, c.req.query(), 'query');
    const rows = await listParticipants(c.var.services.store.db, c.var.tenant.id, { emailPrefix: f.email, referredBy: f.referredBy, w9OnFile: f.w9OnFile, payoutInfoComplete: f.payoutInfoComplete, unsubscribed: f.unsubscribed, waitingFor: f.waitingFor, limit: f.limit, before: decodeCursor(f.before) });
    return c.json({ participants: rows.map(participantBody), next: nextCursor(rows, f.limit) });
  })
  .put('/:participantId', async (c) => {
    const id = parseInput(Id, c.req.param('participantId'), 'participant id');
    const body = parseInput(ParticipantBody, await readJson(c));
    const { programId } = parseInput(PutQuery, c.req.query(), 'query');
    let checks;
    if (programId) {
      const program = await findProgram(c.var.services.store.db, c.var.tenant.id, programId);
      if (!program) throw new AppError('not_found', 'program not found');
      checks = programView(program).settings.referralChecks;
    }
    const result = await putParticipant(c.var.services, c.var.tenant, id, body, checks);
    return c.json(result.participant, result.created ? 201 : 200);
  })
  .get('/:participantId', async (c) => {
    const programId = c.req.query('programId');
    let settings;
    if (programId) {
      const program = await findProgram(c.var.services.store.db, c.var.tenant.id, programId);
      if (!program) throw new AppError('not_found', 'program not found');
      settings = programView(program).settings;
    }
    return c.json(await getParticipant(c.var.services, c.var.tenant, c.req.param('participantId'), settings));
  })
  .get('/:participantId/rewards', async (c) => {
    const { db } = c.var.services.store;
    const id = c.req.param('participantId');
    if (!(await findParticipant(db, c.var.tenant.id, id))) throw new AppError('not_found', 'participant not found');
    return c.json({ rewards: await participantRewards(c.var.services, c.var.tenant, id) });
  });

export const participantDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/participants', auth: 'apiKey', tags: ['participants'],
    summary: 'List participants, newest first; search by email prefix, filter by referrer, W-9, payout details, unsubscribe and what their rewards wait for',
    query: ListQuery,
    responses: { 200: { description: 'a page of participants', schema: v.strictObject({ participants: v.array(ParticipantShape), next: NextShape }) } },
  },
  {
    method: 'put', path: '/v1/participants/:participantId', auth: 'apiKey', tags: ['participants'],
    summary: 'Create or replace a participant',
    description: 'With `referredBy`, the referral checks run and their flags are recorded (`referralFlags`); with `programId`, a check whose outcome is `deny` in that program refuses the write (422 naming /referredBy).',
    params: { participantId: Id },
    query: PutQuery,
    body: ParticipantBody,
    responses: { 201: { description: 'created', schema: ParticipantShape }, 200: { description: 'updated', schema: ParticipantShape } },
  },
  {
    method: 'get', path: '/v1/participants/:participantId', auth: 'apiKey', tags: ['participants'],
    summary: 'Read a participant with its stats',
    query: v.object({ programId: v.optional(v.pipe(v.string(), v.description("stats under this program's settings (tax year, rates)"))) }),
    responses: { 200: { description: 'the participant', schema: ParticipantWithStatsShape } },
  },
  {
    method: 'get', path: '/v1/participants/:participantId/rewards', auth: 'apiKey', tags: ['rewards'],
    summary: "A participant's rewards",
    responses: { 200: { description: 'the rewards', schema: v.strictObject({ rewards: v.array(RewardShape) }) } },
  },
];
