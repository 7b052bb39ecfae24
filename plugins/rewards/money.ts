// Money is integer minor units from the edge of the API inward. Rule authors
// write major units with at most two decimals; rounding here only removes
// binary floating-point noise (19.99 * 100 = 1998.9999…).
export function toMinorUnits(amount: number): number {
  return Math.round(amount * 100);
}

export function formatMoney(minor: number, currency: string, locale?: string | null): string {
  try {
    return new Intl.NumberFormat(locale ?? 'en-US', { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}
