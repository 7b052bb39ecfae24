import type { ProgramSettings } from '../types.ts';

export type LedgerRow = { kind: string; amount_minor: number; currency: string; taxable_minor?: number | null };

/**
 * Cash rewards (and the declared taxable value of other rewards) in USD cents. Other currencies count only at the program's
 * conversion rate (USD per unit); without one they are left out and named,
 * so the participant's stats say what the total does not include.
 */
export function cashInUsd(rows: LedgerRow[], settings: Pick<ProgramSettings, 'usdRates'>) {
  let cents = 0;
  const excluded = new Set<string>();
  for (const row of rows) {
    // A non-cash reward counts by the USD value its rule declared taxable, if any.
    if (row.kind !== 'cash') {
      cents += row.taxable_minor ?? 0;
      continue;
    }
    if (row.currency === 'USD') cents += row.amount_minor;
    else if (settings.usdRates[row.currency] !== undefined) cents += Math.round(row.amount_minor * settings.usdRates[row.currency]);
    else excluded.add(row.currency);
  }
  return { cents, excludedCurrencies: [...excluded].sort() };
}

