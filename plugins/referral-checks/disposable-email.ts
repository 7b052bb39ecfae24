import type { ReferralCheck } from './types.ts';
import { domainOf, domainSuffixes } from './mailbox.ts';
import { isDisposableDomain } from './disposable-domains.ts';

/** The referred participant's address is at a temporary-mail domain (or a subdomain of one). */
export const disposableEmail: ReferralCheck = {
  name: 'disposableEmail',
  run({ participant }) {
    const hit = domainSuffixes(domainOf(participant.email)).find(isDisposableDomain);
    return hit ? `${hit} is a disposable email domain` : null;
  },
};
