import type { ReferralCheck } from './types.ts';
import { normalizeMailbox } from './mailbox.ts';

/** The referrer is the participant, or the same mailbox spelled another way (case, `+tag`, Gmail dots). */
export const selfReferral: ReferralCheck = {
  name: 'selfReferral',
  run({ participant, referrer, referredBy }) {
    if (referredBy === participant.id) return 'referred by itself';
    if (!referrer) return null;
    return normalizeMailbox(referrer.email) === normalizeMailbox(participant.email) ? 'the referrer has the same mailbox' : null;
  },
};
