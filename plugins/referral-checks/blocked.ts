import type { ReferralCheck } from './types.ts';
import { domainOf, domainSuffixes, normalizeMailbox } from './mailbox.ts';

/**
 * The tenant blocked the participant's or the referrer's mailbox (compared
 * canonically) or its domain (or a parent domain). One lookup of at most a
 * dozen values.
 */
export const blocked: ReferralCheck = {
  name: 'blocked',
  async run({ participant, referrer }, lookups) {
    const who = [
      ['participant', participant.email],
      ...(referrer ? [['referrer', referrer.email] as const] : []),
    ] as const;
    const values = new Map<string, string>();
    for (const [role, email] of who) {
      values.set(normalizeMailbox(email), role);
      for (const d of domainSuffixes(domainOf(email))) if (!values.has(d)) values.set(d, role);
    }
    const hits = await lookups.blocked([...values.keys()]);
    if (hits.length === 0) return null;
    const hit = [...values.keys()].find((v) => hits.includes(v))!;
    return `the ${values.get(hit)}'s ${hit.includes('@') ? 'address' : 'domain'} ${hit} is blocked`;
  },
};
