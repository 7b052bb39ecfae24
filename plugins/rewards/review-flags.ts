// The flags that sent a reward to review, as the referral checks stored them
// (`rewards.review_flags`, a JSON array of `{check, detail}`). Read
// defensively: whatever else the column holds answers as no flags (never a
// 500), and a list longer than any set of checks could write is cut.

export type ReviewFlag = { check: string; detail: unknown };

const MAX_FLAGS = 50;

export function parseReviewFlags(stored: string | null): ReviewFlag[] {
  if (stored === null || stored === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const flags: ReviewFlag[] = [];
  for (const f of parsed.slice(0, MAX_FLAGS)) {
    if (f !== null && typeof f === 'object' && typeof (f as { check?: unknown }).check === 'string') {
      flags.push({ check: (f as { check: string }).check, detail: (f as { detail?: unknown }).detail ?? null });
    }
  }
  return flags;
}
