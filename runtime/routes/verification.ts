import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { readJson } from '../http.ts';
import { idempotent } from '../idempotency.ts';
import { parseInput } from '../validation.ts';
import { HttpUrl, Id, Token } from './schemas.ts';
import { confirmVerification, requestVerification } from '../services/verification-service.ts';
import { enforceRateLimits, LIMITS } from '../services/rate-limiter.ts';
import { requestClient } from '../request-client.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { EmailShape } from '../openapi/shapes.ts';

const RequestBody = v.strictObject({ redirectUrl: v.optional(HttpUrl), programId: v.optional(Id) });
const ConfirmBody = v.strictObject({ token: Token });

/** With the API key: the tenant's backend asks for a verification email. */
export const participantVerificationRoutes = new Hono<AppEnv>().post('/:participantId/verification', idempotent('POST /v1/participants/:participantId/verification'), async (c) => {
  const id = parseInput(Id, c.req.param('participantId'), 'participant id');
  const body = parseInput(RequestBody, await readJson(c));
  const result = await requestVerification(c.var.services, c.var.tenant, id, body);
  return c.json(result.body, result.status);
});

/** Public: the participant's browser confirms with the token from the link. */
export const verificationRoutes = new Hono<AppEnv>().post('/confirm', async (c) => {
  const body = parseInput(ConfirmBody, await readJson(c));
  await enforceRateLimits(c.var.services, [{ limit: LIMITS.verifyConfirmPerClient, subject: requestClient(c) }], (n, value) => c.header(n, value));
  return c.json(await confirmVerification(c.var.services, body.token));
});

const VerificationShape = v.strictObject({ participantId: v.string(), emailVerified: v.boolean(), email: v.nullable(EmailShape), expiresAt: v.nullable(v.string()) });

export const verificationDocs: RouteDoc[] = [
  {
    method: 'post', path: '/v1/participants/:participantId/verification', auth: 'apiKey', tags: ['participants'],
    summary: "Send a participant a link to confirm the email address",
    params: { participantId: Id },
    body: RequestBody,
    idempotent: true,
    responses: {
      202: { description: 'the email is queued', schema: VerificationShape },
      200: { description: 'already verified, or verification emails are switched off: nothing sent', schema: VerificationShape },
    },
    errors: ['rate_limited'],
  },
  {
    method: 'post', path: '/v1/verification/confirm', auth: 'none', tags: ['microsite'],
    summary: 'Confirm an email address with the token from the link',
    body: ConfirmBody,
    responses: { 200: { description: 'the address is confirmed', schema: v.strictObject({ participantId: v.string(), email: v.string(), emailVerified: v.boolean(), emailVerifiedAt: v.nullable(v.string()) }) } },
    errors: ['invalid_token', 'token_expired', 'token_used', 'rate_limited'],
  },
];
