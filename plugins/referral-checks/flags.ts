import { CHECK_NAMES, type CheckName, type ReferralFlag } from './types.ts';

// The one format of referral flags and its one reader. Flags are stored as
// JSON text, `[{check, detail}]` (null for none), in two places: on the
// participant (`participants.referral_flags`, every flag the checks raised,
// read by rules as `participant.referralFlags`) and on a reward
// (`rewards.review_flags`, the flags that sent it to review, read by the
// review queue and the receipt). Both were once read by separate parsers; a
// column written here is read here only.

/** Each check flags a referral at most once, so no honest list is longer. */
export const MAX_FLAGS = CHECK_NAMES.length;

export function formatFlags(flags: readonly ReferralFlag[]): string | null {
  return flags.length > 0 ? JSON.stringify(flags) : null;
}

/**
 * Stored flags as the list they mean. Read defensively: anything the checks
 * could not have written (unparsable text, unknown check names, a detail
 * that is not text, a check twice) is dropped, never a 500.
 */
export function parseFlags(stored: string | null | undefined): ReferralFlag[] {
  if (!stored) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const flags: ReferralFlag[] = [];
  for (const f of parsed) {
    if (flags.length === MAX_FLAGS) break;
    if (f === null || typeof f !== 'object') continue;
    const { check, detail } = f as { check?: unknown; detail?: unknown };
    if (!(CHECK_NAMES as readonly unknown[]).includes(check) || typeof detail !== 'string') continue;
    if (flags.some((x) => x.check === check)) continue;
    flags.push({ check: check as CheckName, detail });
  }
  return flags;
}

/** The names of the checks that flagged, as rules read them (`participant.referralFlags`). */
export function flagNames(stored: string | null | undefined): CheckName[] {
  return parseFlags(stored).map((f) => f.check);
}
