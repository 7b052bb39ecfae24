import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from './context.ts';
import type { Services } from './services.ts';
import { AppError } from './errors.ts';
import { requireTenant } from './auth.ts';
import { limitBody, type DirectBodyReader } from './body-limit.ts';
import { healthRoutes } from './routes/health.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { programRoutes } from './routes/programs.ts';
import { ruleRoutes } from './routes/rules.ts';
import { templateRoutes } from './routes/templates.ts';
import { participantRoutes } from './routes/participants.ts';
import { eventRoutes, postEventWithKey } from './routes/events.ts';
import { backtestRoutes } from './routes/backtests.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { emailRoutes } from './routes/emails.ts';
import { suppressionRoutes } from './routes/suppressions.ts';
import { referralBlockRoutes } from './routes/referral-blocks.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import { emailSettingsRoutes } from './routes/settings-email.ts';
import { createAdminRoutes } from './admin/admin-routes.tsx';
import { rewardRoutes } from './routes/rewards.ts';
import { reviewRoutes, rewardReviewRoutes } from './routes/reviews.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { participantVerificationRoutes, verificationRoutes } from './routes/verification.ts';
import { micrositeRoutes, participantPasswordRoutes } from './routes/microsite.ts';
import { participantPageRoutes } from './routes/participant-pages.ts';
import { createSpecRoutes } from './routes/specs.ts';
import { openApiDocument } from './openapi/document.ts';
import { methodLookup } from './method-not-allowed.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.ts';
import { programOverviewRoutes } from './routes/program-overview.ts';

export type AppOptions = {
  /**
   * The address of the socket's peer. Only the runtime entry knows it (Node's
   * socket, Deno.serve's info, Cloudflare's CF-Connecting-IP on Workers), so
   * the entry hands it in; core code never asks which runtime it is on.
   */
  peerAddress?: (c: Context) => string | null | undefined;
  /** The runtime's own body reader (Node: straight from the socket's request), where it has one. */
  requestBody?: DirectBodyReader;
};
/** `%00` (or a raw NUL, which the URL parser would have encoded anyway) anywhere after the origin. */
function hasNul(url: string): boolean {
  const rest = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  return rest.includes('%00') || rest.includes('\u0000');
}

/** The whole HTTP API over Web standards; each runtime entry only builds `services` and serves this. */
export function createApp(services: Services, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('services', services);
    // A NUL in a path segment or a query parameter would reach a text column
    // PostgreSQL refuses (a 500 there, silently kept by SQLite): refused here,
    // once, for every route. The raw URL is checked, before any decoding.
    if (hasNul(c.req.url)) {
      return c.json(new AppError('bad_request', 'the path and query string must not contain NUL characters').toBody(), 400);
    }
    // A caller's id is kept only when it is a plain token: it is echoed and logged.
    const given = c.req.header('x-request-id');
    c.set('requestId', given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID());
    c.set('peerAddress', options.peerAddress?.(c) ?? null);
    // (On the per-request path variables are read with c.get: each c.var read copies all of them into a new object.)
    // Set before the handler, so the response it builds carries it: setting a
    // header on a finished response makes Hono copy the response (on Node, a
    // full WHATWG Response built from the adapter's light one) for every request.
    c.header('x-request-id', c.get('requestId'));
    await next();
    // The answer leaves once what the request wrote (or read) is on disk: the
    // embedded SQLite commits concurrent requests' transactions together.
    await services.store.durable().catch((error: unknown) => {
      services.logger.error('commit failed', { requestId: c.get('requestId'), error });
      c.res = c.json(new AppError('unavailable', 'the database could not store this request; nothing of it was kept, retry it').toBody(), 503);
    });
    // A handler that returned its own Response dropped the prepared headers.
    if (!c.res.headers.has('x-request-id')) c.header('x-request-id', c.get('requestId'));
    // The access log: the route's pattern, never the path itself (tokens travel in some paths).
    services.logger.info('request', {
      requestId: c.get('requestId'),
      tenantId: c.get('tenant')?.id ?? null,
      method: c.req.method,
      route: routePath(c) || null,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  app.use(
    '/v1/*',
    limitBody({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError('payload_too_large', 'the request body is larger than 1 MiB');
      },
      direct: options.requestBody,
    }),
  );

  app.route('/', healthRoutes);
  app.route('/', createSpecRoutes(openApiDocument));
  app.route('/v1/tenants', tenantRoutes);
  app.route('/v1/webhooks', webhookRoutes);
  // Public: participants call these from microsites and widgets, without an API key.
  app.route('/v1/verification', verificationRoutes);
  app.route('/v1', micrositeRoutes);
  // The pages the emailed links open.
  app.route('/', participantPageRoutes);
  app.route('/', unsubscribeRoutes);

  // Ahead of the tenant API's key check: posting an event checks the key in its own first read.
  app.post('/v1/programs/:programId/events', postEventWithKey);
  const tenantApi = new Hono<AppEnv>();
  tenantApi.use('*', requireTenant);
  tenantApi.route('/programs', programRoutes);
  tenantApi.route('/programs', ruleRoutes);
  tenantApi.route('/programs', templateRoutes);
  tenantApi.route('/programs', eventRoutes);
  tenantApi.route('/programs', programOverviewRoutes);
  tenantApi.route('/programs', backtestRoutes);
  tenantApi.route('/participants', participantRoutes);
  tenantApi.route('/participants', participantVerificationRoutes);
  tenantApi.route('/participants', participantPasswordRoutes);
  tenantApi.route('/rewards', rewardRoutes);
  tenantApi.route('/rewards', rewardReviewRoutes);
  tenantApi.route('/reviews', reviewRoutes);
  tenantApi.route('/emails', emailRoutes);
  tenantApi.route('/suppressions', suppressionRoutes);
  tenantApi.route('/referral-blocks', referralBlockRoutes);
  tenantApi.route('/settings/email', emailSettingsRoutes);
  tenantApi.route('/settings/credentials', credentialRoutes);
  tenantApi.route('/webhook-endpoints', webhookEndpointRoutes);
  tenantApi.route('/webhook-deliveries', webhookDeliveryRoutes);
  app.route('/v1', tenantApi);
  app.route('/admin', createAdminRoutes(app));

  const allowedOn = methodLookup(() => app.routes);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = allowedOn(path);
    if (allowed.length > 0) {
      const error = new AppError('method_not_allowed', `${c.req.method} is not allowed on ${path}; it answers ${allowed.join(', ')}`, [], { allowed });
      return c.json(error.toBody(), 405, { Allow: allowed.join(', ') });
    }
    return c.json(new AppError('not_found', `no route for ${c.req.method} ${path}`).toBody(), 404);
  });
  app.onError((error, c) => {
    if (error instanceof AppError) return c.json(error.toBody(), error.status);
    services.logger.error('unhandled error', { requestId: c.var.requestId, path: new URL(c.req.url).pathname, error });
    return c.json(new AppError('internal', 'an internal error occurred; it has been logged', [], { requestId: c.var.requestId }).toBody(), 500);
  });
  return app;
}
