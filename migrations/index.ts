import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-27T00-00-00_initial.ts';
import * as adminSessions from './2026-11-30T11-00-00_admin_sessions.ts';
import * as emailLinkSecrets from './2026-11-30T11-05-00_email_link_secrets.ts';
import * as templatesVersion from './2026-11-30T12-30-00_templates_version.ts';
import * as suppressions from './2026-11-30T13-00-00_suppressions.ts';
import * as keyRotation from './2026-11-30T14-00-00_key_rotation.ts';
import * as idempotencyKeys from './2026-11-30T15-00-00_idempotency_keys.ts';
import * as rewardLifecycle from './2026-11-30T16-00-00_reward_lifecycle.ts';
import * as webhookEndpoints from './2026-11-30T17-00-00_webhook_endpoints.ts';
import * as rewardLimits from './2026-11-30T18-00-00_reward_limits.ts';
import * as rewardReviewFlags from './2026-11-30T19-00-00_reward_review_flags.ts';
import * as referralChecks from './2026-11-30T19-02-00_referral_checks.ts';
import * as reviewDecisions from './2026-11-30T19-05-00_review_decisions.ts';
import * as programOverview from './2026-11-30T19-30-00_program_overview.ts';
import * as backtests from './2026-11-30T19-40-00_backtests.ts';
import * as eventsParticipantType from './2026-11-30T19-45-00_events_participant_type.ts';

// A static map rather than a folder scan, so bundled runtimes (Workers) that
// have no file system run the same migrations. Add each new migration here.
export const migrations: Record<string, Migration> = {
  '2026-11-27T00-00-00_initial': initial,
  '2026-11-30T11-00-00_admin_sessions': adminSessions,
  '2026-11-30T11-05-00_email_link_secrets': emailLinkSecrets,
  '2026-11-30T12-30-00_templates_version': templatesVersion,
  '2026-11-30T13-00-00_suppressions': suppressions,
  '2026-11-30T14-00-00_key_rotation': keyRotation,
  '2026-11-30T15-00-00_idempotency_keys': idempotencyKeys,
  '2026-11-30T16-00-00_reward_lifecycle': rewardLifecycle,
  '2026-11-30T17-00-00_webhook_endpoints': webhookEndpoints,
  '2026-11-30T18-00-00_reward_limits': rewardLimits,
  '2026-11-30T19-00-00_reward_review_flags': rewardReviewFlags,
  '2026-11-30T19-02-00_referral_checks': referralChecks,
  '2026-11-30T19-05-00_review_decisions': reviewDecisions,
  '2026-11-30T19-30-00_program_overview': programOverview,
  '2026-11-30T19-40-00_backtests': backtests,
  '2026-11-30T19-45-00_events_participant_type': eventsParticipantType,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
