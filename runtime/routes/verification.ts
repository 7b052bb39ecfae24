import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { HttpUrl, Id, Token } from './schemas.ts';
import { confirmVerification, requestVerification } from '../services/verification-service.ts';
import { enforceRateLimits, LIMITS } from '../services/rate-limiter.ts';
import { requestClient } from '../request-client.ts';

const RequestBody = v.strictObject({ redirectUrl: v.optional(HttpUrl), programId: v.optional(Id) });
const ConfirmBody = v.strictObject({ token: Token });

/** With the API key: the tenant's backend asks for a verification email. */
export const participantVerificationRoutes = new Hono<AppEnv>().post('/:participantId/verification', async (c) => {
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
