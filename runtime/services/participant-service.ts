import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { inTransaction } from '../store/store.ts';
import { findParticipant, upsertParticipant } from '../store/participant-queries.ts';
import { clearPendingReason } from './reward-transitions.ts';
import { closePayoutCycles } from '../store/payout-queries.ts';
import { deleteTokens } from '../store/token-queries.ts';
import { participantBody, participantView } from './views.ts';
import { loadStats } from './participant-stats.ts';
import { normalizeSettings } from './program-settings.ts';
import type { ProgramSettings, ReferralCheckSettings } from '../../plugins/types.ts';
import { setParticipantFields } from '../store/participant-queries.ts';
import { RECORD_ONLY, runReferralChecks } from './referral-checks.ts';
import { formatFlags } from '../../plugins/referral-checks/flags.ts';

export type ParticipantInput = {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  locale?: string | null;
  countryCode?: string | null;
  referredBy?: string | null;
  w9OnFile?: boolean;
  payoutInfoComplete?: boolean;
  /** false re-subscribes a participant who used the unsubscribe link; true unsubscribes. */
  unsubscribed?: boolean;
};

/**
 * Creates or updates a participant. Completing payout details releases held
 * rewards and ends the reminders in the same transaction; a W-9 on file is
 * recorded with its date.
 */
export async function putParticipant(
  services: Services,
  tenant: Tenant,
  id: string,
  input: ParticipantInput,
  /** The program whose referral-check outcomes apply (a `deny` refuses the write); without one the checks only record their flags. */
  referralChecks: ReferralCheckSettings = RECORD_ONLY,
) {
  const now = services.clock.now().toISOString();
  if (input.referredBy === id) {
    throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: '/referredBy', message: 'a participant cannot refer themselves' }]);
  }
  const result = await inTransaction(services.store, async (db) => {
    // Rewards released here: each release announced itself (reward-transitions.ts), so the webhook dispatcher is woken.
    let released = 0;
    const before = await findParticipant(db, tenant.id, id);
    const email = input.email.toLowerCase();
    const w9 = input.w9OnFile ?? before?.w9_on_file === 1;
    const payout = input.payoutInfoComplete ?? before?.payout_info_complete === 1;
    await upsertParticipant(db, {
      tenant_id: tenant.id,
      id,
      email,
      first_name: input.firstName !== undefined ? input.firstName : (before?.first_name ?? null),
      last_name: input.lastName !== undefined ? input.lastName : (before?.last_name ?? null),
      locale: input.locale !== undefined ? input.locale : (before?.locale ?? null),
      country_code: input.countryCode !== undefined ? input.countryCode : (before?.country_code ?? null),
      referred_by: input.referredBy !== undefined ? input.referredBy : (before?.referred_by ?? null),
      w9_on_file: w9 ? 1 : 0,
      w9_on_file_at: w9 ? (before?.w9_on_file === 1 ? before.w9_on_file_at : now) : null,
      payout_info_complete: payout ? 1 : 0,
      payout_info_completed_at: payout ? (before?.payout_info_complete === 1 ? before.payout_info_completed_at : now) : null,
      // A new address has not been verified, whatever the old one was.
      email_verified: before && before.email === email ? before.email_verified : 0,
      email_verified_at: before && before.email === email ? before.email_verified_at : null,
      password_hash: before?.password_hash ?? null,
      unsubscribed_at: input.unsubscribed === undefined ? (before?.unsubscribed_at ?? null) : input.unsubscribed ? (before?.unsubscribed_at ?? now) : null,
      created_at: before?.created_at ?? now,
      updated_at: now,
    });
    // The referral checks see the participant as written (the rate check counts it among
    // the referrer's referrals); a denial throws, rolling the write back.
    if (input.referredBy) {
      const decision = await runReferralChecks(db, { tenantId: tenant.id, settings: referralChecks, participant: { id, email, createdAt: before?.created_at ?? now }, referredBy: input.referredBy });
      if (decision.deniedBy) {
        const flag = decision.flags.find((f) => f.check === decision.deniedBy)!;
        throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: '/referredBy', message: `refused by the referral check ${flag.check}: ${flag.detail}` }]);
      }
      await setParticipantFields(db, tenant.id, id, { referral_flags: formatFlags(decision.flags) });
    } else if (input.referredBy === null && before?.referral_flags) {
      await setParticipantFields(db, tenant.id, id, { referral_flags: null });
    }
    // Links already mailed to the old address must not verify or reset the new one.
    if (before && before.email !== email) await deleteTokens(db, tenant.id, id);
    if (w9 && before?.w9_on_file !== 1) {
      released += await clearPendingReason(db, tenant.id, id, 'w9_required', { reason: 'w9_on_file', actor: 'api' }, now);
    }
    if (payout && before?.payout_info_complete !== 1) {
      released += await clearPendingReason(db, tenant.id, id, 'payout_info', { reason: 'payout_info_complete', actor: 'api' }, now);
      await closePayoutCycles(db, tenant.id, id);
    }
    const row = await findParticipant(db, tenant.id, id);
    return { created: !before, participant: participantBody(row!), released };
  });
  if (result.released > 0) services.webhooks.kick();
  return { created: result.created, participant: result.participant };
}

export async function getParticipant(services: Services, tenant: Tenant, id: string, settings?: ProgramSettings) {
  const row = await findParticipant(services.store.db, tenant.id, id);
  if (!row) throw new AppError('not_found', 'participant not found');
  const stats = await loadStats(services.store.db, tenant.id, participantView(row), settings ?? normalizeSettings({}), services.clock.now());
  return { ...participantBody(row), stats };
}
