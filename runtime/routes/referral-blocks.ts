import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { getReferralBlocks, putReferralBlocks } from '../services/referral-block-service.ts';
import { isSingleAddress } from '../../plugins/mail/address.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';

// The tenant's blocked addresses and domains for the `blocked` referral check,
// replaced as a whole: small (at most 500) and looked up by value, never scanned.

const MAX_BLOCKS = 500;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

const Block = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(254),
  v.check((s) => (s.includes('@') ? isSingleAddress(s) && !s.includes('<') : DOMAIN.test(s)), 'must be an email address (a@example.com) or a domain (example.com)'),
);

const BlocksBody = v.strictObject({
  blocks: v.pipe(v.array(Block), v.maxLength(MAX_BLOCKS, `at most ${MAX_BLOCKS} addresses and domains`)),
});

const BlocksShape = v.strictObject({
  blocks: v.array(
    v.strictObject({
      value: v.pipe(v.string(), v.description('an address in its canonical spelling (lower case, no +tag, no Gmail dots) or a domain')),
      createdAt: v.pipe(v.string(), v.description('when it was first blocked')),
    }),
  ),
});

export const referralBlockRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await getReferralBlocks(c.var.services, c.var.tenant)))
  .put('/', async (c) => {
    const body = parseInput(BlocksBody, await readJson(c));
    return c.json(await putReferralBlocks(c.var.services, c.var.tenant, body.blocks));
  });

export const referralBlockDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/referral-blocks', auth: 'apiKey', tags: ['participants'],
    summary: 'The blocked addresses and domains of the `blocked` referral check',
    responses: { 200: { description: 'the list, by value', schema: BlocksShape } },
  },
  {
    method: 'put', path: '/v1/referral-blocks', auth: 'apiKey', tags: ['participants'],
    summary: 'Replace the blocked addresses and domains (at most 500)',
    description: 'A referral whose participant or referrer has a blocked address (compared in canonical spelling) or domain (or a parent domain) is flagged `blocked`; the program decides the outcome (`settings.referralChecks.blocked.outcome`).',
    body: BlocksBody,
    responses: { 200: { description: 'the list now stored', schema: BlocksShape } },
  },
];
