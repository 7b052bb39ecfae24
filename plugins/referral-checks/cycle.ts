import type { ReferralCheck } from './types.ts';

/**
 * The participant appears among its referrer's referrers (A referred by B
 * referred by A). The walk up the chain is bounded: a chain longer than this
 * is not followed further (and is not itself flagged).
 */
export const MAX_CHAIN = 25;

export const cycle: ReferralCheck = {
  name: 'cycle',
  async run({ participant, referrer }, lookups) {
    if (!referrer || referrer.id === participant.id) return null;
    const chain = await lookups.referrerChain(MAX_CHAIN);
    const at = chain.indexOf(participant.id);
    return at < 0 ? null : `the referrer was itself referred by this participant ${at === 0 ? 'directly' : `${at + 1} steps up`}`;
  },
};
