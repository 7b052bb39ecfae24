import { CHECK_NAMES, type CheckName, type ReferralFlag } from './types.ts';

// Flags are stored as JSON text (participants.referral_flags,
// rewards.review_flags): `[{check, detail}]`, null for none.

export function formatFlags(flags: readonly ReferralFlag[]): string | null {
  return flags.length > 0 ? JSON.stringify(flags) : null;
}

/** Stored flags as the list they mean; anything unreadable as none. */
export function parseFlags(stored: string | null | undefined): ReferralFlag[] {
  if (!stored) return [];
  try {
    const parsed = JSON.parse(stored) as unknown;
    return Array.isArray(parsed) ? parsed.filter((f): f is ReferralFlag => (CHECK_NAMES as readonly unknown[]).includes(f?.check) && typeof f?.detail === 'string') : [];
  } catch {
    return [];
  }
}

/** The names of the checks that flagged, as rules read them (`participant.referralFlags`). */
export function flagNames(stored: string | null | undefined): CheckName[] {
  return stored ? parseFlags(stored).map((f) => f.check) : [];
}
