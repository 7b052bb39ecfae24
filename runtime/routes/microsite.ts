import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { Id, Token } from './schemas.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../security/password-hash.ts';
import { confirmPasswordReset, micrositeLogin, requestPasswordReset, setPassword, type Caller } from '../services/password-service.ts';
import { requestClient } from '../request-client.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { AnyObject, StatusMessageShape } from '../openapi/shapes.ts';

const NewPassword = v.pipe(
  v.string('is required'),
  v.minLength(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`),
  v.maxLength(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
);
// Login checks whatever was typed: the length rules apply when a password is set, not when one is tried.
const AnyPassword = v.pipe(v.string('is required'), v.minLength(1, 'is required'), v.maxLength(MAX_PASSWORD_LENGTH));
const Email = v.pipe(v.string('is required'), v.trim(), v.minLength(1, 'is required'), v.maxLength(254));
const TenantId = v.pipe(v.string('is required'), v.minLength(1, 'is required'), v.maxLength(200));

const PasswordBody = v.strictObject({ password: NewPassword });
const LoginBody = v.strictObject({ tenantId: TenantId, email: Email, password: AnyPassword });
const ResetBody = v.strictObject({ tenantId: TenantId, email: Email, programId: v.optional(Id) });
const ResetConfirmBody = v.strictObject({ token: Token, password: NewPassword });

export function callerOf(c: Context<AppEnv>): Caller {
  return { client: requestClient(c), setHeader: (n, value) => c.header(n, value) };
}

/** With the API key: the tenant's backend sets a participant's microsite password. */
export const participantPasswordRoutes = new Hono<AppEnv>().put('/:participantId/password', async (c) => {
  const id = parseInput(Id, c.req.param('participantId'), 'participant id');
  const body = parseInput(PasswordBody, await readJson(c));
  return c.json(await setPassword(c.var.services, c.var.tenant, id, body.password));
});

/** Public: called by microsites on the participant's behalf. */
export const micrositeRoutes = new Hono<AppEnv>()
  .post('/microsite/login', async (c) => {
    const body = parseInput(LoginBody, await readJson(c));
    return c.json(await micrositeLogin(c.var.services, body, callerOf(c)));
  })
  .post('/password-reset', async (c) => {
    const body = parseInput(ResetBody, await readJson(c));
    await requestPasswordReset(c.var.services, body, callerOf(c));
    return c.json({ status: 'accepted', message: 'if this address belongs to an account, a reset link is on its way' }, 202);
  })
  .post('/password-reset/confirm', async (c) => {
    const body = parseInput(ResetConfirmBody, await readJson(c));
    return c.json(await confirmPasswordReset(c.var.services, body, callerOf(c)));
  });

export const micrositeDocs: RouteDoc[] = [
  {
    method: 'put', path: '/v1/participants/:participantId/password', auth: 'apiKey', tags: ['participants'],
    summary: "Set a participant's microsite password",
    params: { participantId: Id },
    body: PasswordBody,
    responses: { 200: { description: 'the password is set', schema: AnyObject } },
  },
  {
    method: 'post', path: '/v1/microsite/login', auth: 'none', tags: ['microsite'],
    summary: 'Sign a participant in to a microsite',
    body: LoginBody,
    responses: { 200: { description: 'signed in', schema: AnyObject } },
    errors: ['invalid_credentials', 'rate_limited'],
  },
  {
    method: 'post', path: '/v1/password-reset', auth: 'none', tags: ['microsite'],
    summary: 'Ask for a password-reset link',
    description: 'Answers the same whether or not the address belongs to an account.',
    body: ResetBody,
    responses: { 202: { description: 'accepted', schema: StatusMessageShape } },
    errors: ['rate_limited'],
  },
  {
    method: 'post', path: '/v1/password-reset/confirm', auth: 'none', tags: ['microsite'],
    summary: 'Set a new password with the token from the link',
    body: ResetConfirmBody,
    responses: { 200: { description: 'the password is changed', schema: AnyObject } },
    errors: ['invalid_token', 'token_expired', 'token_used', 'rate_limited'],
  },
];
