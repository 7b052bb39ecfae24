/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AdminEnv } from './admin-env.ts';
import { AppError } from '../errors.ts';
import type { ApiHost } from './api-client.ts';
import { checkCsrf, refuseCrossSite, requireSession, securityHeaders } from './guards.ts';
import { endSession } from './session.ts';
import { redirectWithFlash } from './flash.ts';
import { signInRoutes } from './pages/sign-in.tsx';
import { errorPage, renderError } from './pages/error-page.tsx';
import { settingsOverviewPage } from './pages/settings-overview.tsx';
import { integrationsPage } from './pages/integrations.tsx';
import { customDomainPage } from './pages/custom-domain.tsx';
import { notificationsPage } from './pages/notifications.tsx';
import { webhooksPage } from './pages/webhooks.tsx';
import { deliveriesPage } from './pages/webhook-deliveries.tsx';
import { referralBlocksPage } from './pages/referral-blocks.tsx';
import { programsPage } from './pages/programs.tsx';
import { rulesPage } from './pages/rules.tsx';
import { templatesPage } from './pages/templates.tsx';
import { programSettingsPage } from './pages/program-settings.tsx';
import { emailsPage } from './pages/emails.tsx';
import { credentialsPage } from './pages/credentials.tsx';
import { participantsPage } from './pages/participants.tsx';
import { overviewPage } from './pages/overview.tsx';
import { reviewsPage } from './pages/reviews.tsx';
import { backtestsPage } from './pages/backtests.tsx';

/**
 * The admin console, mounted at /admin: server-rendered pages over the JSON
 * API of `host` (the app it is mounted in), signed in with the tenant's API key.
 */
export function createAdminRoutes(host: ApiHost): Hono<AdminEnv> {
  const admin = new Hono<AdminEnv>();
  admin.use('*', securityHeaders);
  admin.use(
    '*',
    bodyLimit({
      // Room for a rules document at the API's 1 MiB limit once form-encoded.
      maxSize: 4 * 1024 * 1024,
      onError: () => {
        throw new AppError('payload_too_large', 'The form is larger than the console accepts.');
      },
    }),
  );
  admin.use('*', refuseCrossSite);
  admin.route('/', signInRoutes);

  const signedIn = new Hono<AdminEnv>();
  signedIn.use('*', requireSession(host), checkCsrf);
  signedIn.get('/', (c) => c.redirect('/admin/settings', 303));
  signedIn.post('/sign-out', async (c) => {
    await endSession(c, c.var.services, c.var.session);
    return redirectWithFlash(c, '/admin/sign-in', { kind: 'success', text: 'You are signed out.' });
  });
  signedIn.route('/settings', settingsOverviewPage);
  signedIn.route('/settings/integrations', integrationsPage);
  signedIn.route('/settings/custom-domain', customDomainPage);
  signedIn.route('/settings/notifications', notificationsPage);
  signedIn.route('/settings/credentials', credentialsPage);
  signedIn.route('/settings/webhooks', webhooksPage);
  signedIn.route('/settings/webhook-deliveries', deliveriesPage);
  signedIn.route('/settings/referral-blocks', referralBlocksPage);
  signedIn.route('/programs', programsPage);
  signedIn.route('/programs/:programId/overview', overviewPage);
  signedIn.route('/programs/:programId/rules', rulesPage);
  signedIn.route('/programs/:programId/templates', templatesPage);
  signedIn.route('/programs/:programId/settings', programSettingsPage);
  signedIn.route('/programs/:programId/backtests', backtestsPage);
  signedIn.route('/emails', emailsPage);
  signedIn.route('/participants', participantsPage);
  signedIn.route('/reviews', reviewsPage);
  signedIn.all('*', (c) => errorPage(c, 404, 'Not found', 'There is no console page at this address.'));
  admin.route('/', signedIn);

  admin.onError(renderError);
  return admin;
}
