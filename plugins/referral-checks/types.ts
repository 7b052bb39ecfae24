// The contract between the referral-check service (its consumer) and each
// check: one small file per check, listed in registry.ts. A check is pure
// apart from the bounded lookups it is handed; it never touches the store.

export const CHECK_NAMES = ['selfReferral', 'cycle', 'rate', 'disposableEmail', 'blocked'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const CHECK_OUTCOMES = ['allow', 'review', 'deny'] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

/** What a check found, as stored on a participant (`referral_flags`) and a reward (`review_flags`). */
export type ReferralFlag = { check: CheckName; detail: string };

export type CheckPerson = { id: string; email: string };

export type CheckSubject = {
  /** The referred participant, as stored (or about to be). */
  participant: CheckPerson & { createdAt: string };
  /** The participant named by `referredBy`; null when it does not exist (yet). */
  referrer: CheckPerson | null;
  /** The id `referredBy` names, whether or not it exists. */
  referredBy: string;
};

/** Store reads a check may make, each one bounded statement (runtime/store/referral-check-queries.ts). */
export type CheckLookups = {
  /** Who referred the referrer, and so on up: at most `max` ids, nearest first. */
  referrerChain(max: number): Promise<string[]>;
  /** How many participants the referrer referred with created_at in (from, to]. */
  referralsBetween(from: string, to: string): Promise<number>;
  /** Which of these addresses or domains the tenant blocked. */
  blocked(values: string[]): Promise<string[]>;
};

export type RateSettings = { count: number; windowMinutes: number };

export type CheckSettings = { rate: RateSettings };

export interface ReferralCheck {
  readonly name: CheckName;
  /** A flag's detail when the check finds something; null when it passes. */
  run(subject: CheckSubject, lookups: CheckLookups, settings: CheckSettings): Promise<string | null> | string | null;
}
