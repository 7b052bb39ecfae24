import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context.ts';
import type { Services } from './services.ts';
import { AppError } from './errors.ts';
import { requireTenant } from './auth.ts';
import { healthRoutes } from './routes/health.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { programRoutes } from './routes/programs.ts';
import { ruleRoutes } from './routes/rules.ts';
import { templateRoutes } from './routes/templates.ts';
import { participantRoutes } from './routes/participants.ts';
import { eventRoutes } from './routes/events.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { emailRoutes } from './routes/emails.ts';
import { emailSettingsRoutes } from './routes/settings-email.ts';
import { createAdminRoutes } from './admin/admin-routes.tsx';
import { rewardRoutes } from './routes/rewards.ts';
import { participantVerificationRoutes, verificationRoutes } from './routes/verification.ts';
import { micrositeRoutes, participantPasswordRoutes } from './routes/microsite.ts';
import { participantPageRoutes } from './routes/participant-pages.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.ts';

export type AppOptions = {
  /**
   * The address of the socket's peer. Only the runtime entry knows it (Node's
   * socket, Deno.serve's info, Cloudflare's CF-Connecting-IP on Workers), so
   * the entry hands it in; core code never asks which runtime it is on.
   */
  peerAddress?: (c: Context) => string | null | undefined;
};

/** The whole HTTP API over Web standards; each runtime entry only builds `services` and serves this. */
export function createApp(services: Services, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    c.set('services', services);
    // A NUL in a path segment would reach a text column PostgreSQL refuses.
    if (/%00/.test(c.req.path) || c.req.path.includes('\u0000')) {
      return c.json(new AppError('bad_request', 'the path must not contain NUL characters').toBody(), 400);
    }
    c.set('requestId', c.req.header('x-request-id') ?? crypto.randomUUID());
    c.set('peerAddress', options.peerAddress?.(c) ?? null);
    await next();
    c.header('x-request-id', c.var.requestId);
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError('payload_too_large', 'the request body is larger than 1 MiB');
      },
    }),
  );

  app.route('/', healthRoutes);
  app.route('/v1/tenants', tenantRoutes);
  app.route('/v1/webhooks', webhookRoutes);
  // Public: participants call these from microsites and widgets, without an API key.
  app.route('/v1/verification', verificationRoutes);
  app.route('/v1', micrositeRoutes);
  // The pages the emailed links open.
  app.route('/', participantPageRoutes);

  const tenantApi = new Hono<AppEnv>();
  tenantApi.use('*', requireTenant);
  tenantApi.route('/programs', programRoutes);
  tenantApi.route('/programs', ruleRoutes);
  tenantApi.route('/programs', templateRoutes);
  tenantApi.route('/programs', eventRoutes);
  tenantApi.route('/participants', participantRoutes);
  tenantApi.route('/participants', participantVerificationRoutes);
  tenantApi.route('/participants', participantPasswordRoutes);
  tenantApi.route('/rewards', rewardRoutes);
  tenantApi.route('/emails', emailRoutes);
  tenantApi.route('/settings/email', emailSettingsRoutes);
  tenantApi.route('/webhook-endpoints', webhookEndpointRoutes);
  tenantApi.route('/webhook-deliveries', webhookDeliveryRoutes);
  app.route('/v1', tenantApi);
  app.route('/admin', createAdminRoutes(app));

  app.notFound((c) => c.json(new AppError('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`).toBody(), 404));
  app.onError((error, c) => {
    if (error instanceof AppError) return c.json(error.toBody(), error.status);
    services.logger.error('unhandled error', { requestId: c.var.requestId, path: new URL(c.req.url).pathname, error });
    return c.json(new AppError('internal', 'an internal error occurred; it has been logged', { requestId: c.var.requestId }).toBody(), 500);
  });
  return app;
}
