import type { RouteDoc } from './route-doc.ts';
import { healthDocs } from '../routes/health.ts';
import { tenantDocs } from '../routes/tenants.ts';
import { webhookDocs } from '../routes/webhooks.ts';
import { verificationDocs } from '../routes/verification.ts';
import { micrositeDocs } from '../routes/microsite.ts';
import { participantPageDocs } from '../routes/participant-pages.ts';
import { programDocs } from '../routes/programs.ts';
import { ruleDocs } from '../routes/rules.ts';
import { templateDocs } from '../routes/templates.ts';
import { eventDocs } from '../routes/events.ts';
import { participantDocs } from '../routes/participants.ts';
import { rewardDocs } from '../routes/rewards.ts';
import { reviewDocs } from '../routes/reviews.ts';
import { emailDocs } from '../routes/emails.ts';
import { emailSettingsDocs } from '../routes/settings-email.ts';
import { specDocs } from '../routes/specs.ts';
import { unsubscribeDocs } from '../routes/unsubscribe.ts';
import { suppressionDocs } from '../routes/suppressions.ts';
import { referralBlockDocs } from '../routes/referral-blocks.ts';
import { credentialDocs } from '../routes/credentials.ts';
import { webhookEndpointDocs } from '../routes/webhook-endpoints.ts';
import { webhookDeliveryDocs } from '../routes/webhook-deliveries.ts';
import { programOverviewDocs } from '../routes/program-overview.ts';
import { backtestDocs } from '../routes/backtests.ts';

/**
 * Every route file's descriptions. A new route file adds one line here; a test
 * compares this document with the routes the app registers (app.routes).
 */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  ...healthDocs,
  ...specDocs,
  ...tenantDocs,
  ...webhookDocs,
  ...verificationDocs,
  ...micrositeDocs,
  ...participantPageDocs,
  ...unsubscribeDocs,
  ...programDocs,
  ...ruleDocs,
  ...templateDocs,
  ...eventDocs,
  ...programOverviewDocs,
  ...participantDocs,
  ...rewardDocs,
  ...reviewDocs,
  ...emailDocs,
  ...suppressionDocs,
  ...referralBlockDocs,
  ...emailSettingsDocs,
  ...credentialDocs,
  ...webhookEndpointDocs,
  ...webhookDeliveryDocs,
  ...backtestDocs,
];
