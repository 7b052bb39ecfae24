import type { ReferralCheck } from './types.ts';

const MINUTE = 60_000;

/**
 * A burst of new referrals: more than `count` participants referred by the
 * same referrer were created in the `windowMinutes` ending when this one was
 * (this one included). Fixed to the participant's creation, so the answer is
 * the same at the participant's PUT and at a reward planned later.
 */
export const rate: ReferralCheck = {
  name: 'rate',
  async run({ participant, referrer }, lookups, settings) {
    if (!referrer) return null;
    const to = participant.createdAt;
    const from = new Date(new Date(to).getTime() - settings.rate.windowMinutes * MINUTE).toISOString();
    const n = await lookups.referralsBetween(from, to);
    return n > settings.rate.count ? `${n} referrals by this referrer within ${settings.rate.windowMinutes} minutes (more than ${settings.rate.count})` : null;
  },
};
