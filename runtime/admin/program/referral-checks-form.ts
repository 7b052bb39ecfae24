// The referral checks part of the program settings form: one outcome select
// per check, and the rate check's count and window. The PATCH replaces
// `referralChecks` whole, so the form always sends every check.

export const CHECK_OUTCOMES = [
  { value: 'allow', label: 'Allow' },
  { value: 'review', label: 'Review' },
  { value: 'deny', label: 'Deny' },
];

export const REFERRAL_CHECKS = [
  { check: 'selfReferral', label: 'Self-referral', hint: 'The referrer is the participant, or the same mailbox spelled another way (case, +tag, Gmail dots).' },
  { check: 'cycle', label: 'Referral loop', hint: 'The participant is among the referrer’s own referrers.' },
  { check: 'rate', label: 'Many referrals at once', hint: 'The referrer referred more than the count below within the window.' },
  { check: 'disposableEmail', label: 'Disposable email', hint: 'The participant’s domain is a known throwaway-mail domain.' },
  { check: 'blocked', label: 'Blocked address', hint: 'The participant’s or referrer’s address or domain is on your block list (Settings → Referral blocks).' },
] as const;

/** The rate check's numbers; blank means the API's default (3 in 30 minutes). */
export const RATE_FIELDS = [
  { name: 'rc.rate.count', key: 'count', label: 'Referrals allowed in the window', hint: '1 to 100000; blank: 3.' },
  { name: 'rc.rate.windowMinutes', key: 'windowMinutes', label: 'Window (minutes)', hint: '1 to 43200 (30 days); blank: 30.' },
] as const;

export const outcomeField = (check: string) => `rc.${check}`;
export const REFERRAL_FIELD_NAMES = [...REFERRAL_CHECKS.map((c) => outcomeField(c.check)), ...RATE_FIELDS.map((f) => f.name)];

type FormValues = Record<string, string>;
type Checks = Record<string, { outcome?: string; count?: number; windowMinutes?: number } | undefined>;

export function referralValuesOf(checks: Checks | undefined): FormValues {
  const out: FormValues = {};
  for (const c of REFERRAL_CHECKS) out[outcomeField(c.check)] = checks?.[c.check]?.outcome ?? 'allow';
  for (const f of RATE_FIELDS) out[f.name] = checks?.rate?.[f.key] === undefined ? '' : String(checks.rate[f.key]);
  return out;
}

/** The form's referral checks as the settings' `referralChecks`; a number as typed when it is not one, so the API names it. */
export function referralChecksOf(form: FormValues): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of REFERRAL_CHECKS) out[c.check] = { outcome: (form[outcomeField(c.check)] ?? 'allow').trim() || 'allow' };
  for (const f of RATE_FIELDS) {
    const text = (form[f.name] ?? '').trim();
    if (text !== '') out.rate![f.key] = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  }
  return out;
}

/** /settings/referralChecks/rate/count → rc.rate.count; /settings/referralChecks/cycle/outcome → rc.cycle. */
export function referralFieldOf(rest: string[]): string | null {
  const [check, key] = rest;
  if (!check) return null;
  if (check === 'rate' && (key === 'count' || key === 'windowMinutes')) return `rc.rate.${key}`;
  return REFERRAL_CHECKS.some((c) => c.check === check) ? outcomeField(check) : null;
}
