import type { ProgramSettings } from '../types.ts';

// W-9 thresholds per tax year, as data. Every threshold here is the smallest
// yearly cash total (USD cents) that is reportable, "this amount or more":
// - 2025 and earlier: more than $599, so $599.01 or more (the rule this
//   project has always applied; the form says "$600 or more" in whole dollars);
// - 2026 on: $2,000 or more (payments made from 2026; the law's wording), so
//   $1,999.99 needs no W-9 and $2,000.00 does.
// From 2027 the amount is indexed for inflation: a program adds each year with
// `taxThresholds: {"2027": 210000}` (same "or more" form) until the table has it.
const BUILT_IN: { from: number; reportableFromCents: number }[] = [
  { from: 2026, reportableFromCents: 200_000 },
  { from: -Infinity, reportableFromCents: 59_901 },
];

export type TaxThreshold = { year: number; reportableFromCents: number; source: 'program' | 'override' | 'built-in' };

/**
 * The threshold for a tax year: the program's `taxThresholds` entry for that
 * year, else its single `w9ThresholdCents` (the older "more than" setting),
 * else the built-in table.
 */
export function thresholdFor(year: number, settings: Pick<ProgramSettings, 'taxThresholds' | 'w9ThresholdCents'>): TaxThreshold {
  const own = settings.taxThresholds?.[String(year)];
  if (own !== undefined) return { year, reportableFromCents: own, source: 'program' };
  if (settings.w9ThresholdCents !== undefined) return { year, reportableFromCents: settings.w9ThresholdCents + 1, source: 'override' };
  return { year, reportableFromCents: BUILT_IN.find((t) => year >= t.from)!.reportableFromCents, source: 'built-in' };
}

export function crossesThreshold(cents: number, year: number, settings: Pick<ProgramSettings, 'taxThresholds' | 'w9ThresholdCents'>): boolean {
  return cents >= thresholdFor(year, settings).reportableFromCents;
}
