// A reward's lifecycle, as pure data: `pending` while any reason holds it,
// `available` once none does, then `redeemed` (fully used), `cancelled` or
// `expired`. The last three are final. Reasons are stored sorted and
// comma-separated so a conditional update can compare them as one value.

export const PENDING_REASONS = ['hold', 'review', 'payout_info', 'w9_required'] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

export const FINAL_STATUSES = ['redeemed', 'cancelled', 'expired'] as const;

export const REWARD_STATUSES = ['pending', 'available', ...FINAL_STATUSES] as const;

export function parseReasons(stored: string): PendingReason[] {
  return stored === '' ? [] : (stored.split(',') as PendingReason[]);
}

export function formatReasons(reasons: Iterable<PendingReason>): string {
  return [...new Set(reasons)].sort((a, b) => PENDING_REASONS.indexOf(a) - PENDING_REASONS.indexOf(b)).join(',');
}

/** The reasons left after `reason` clears, and the status they mean. */
export function clearReason(stored: string, reason: PendingReason): { pending_reasons: string; status: 'pending' | 'available' } {
  const reasons = formatReasons(parseReasons(stored).filter((r) => r !== reason));
  return { pending_reasons: reasons, status: reasons === '' ? 'available' : 'pending' };
}

const DAY = 86_400_000;

export function addDays(from: Date, days: number): string {
  return new Date(from.getTime() + days * DAY).toISOString();
}
