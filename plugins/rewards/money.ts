// Money is integer minor units from the edge of the API inward. Rule authors
// write major units with at most two decimals; rounding here only removes
// binary floating-point noise (19.99 * 100 = 1998.9999…).
export function toMinorUnits(amount: number): number {
  return Math.round(amount * 100);
}

const formats = new Map<string, Intl.NumberFormat | null>();

/** Amounts as the participant reads them; an unknown locale or currency falls back to plain digits. */
export function formatMoney(minor: number, currency: string, locale?: string | null): string {
  const key = `${locale ?? 'en-US'}|${currency}`;
  let format = formats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale ?? 'en-US', { style: 'currency', currency });
    } catch {
      format = null;
    }
    if (formats.size < 1000) formats.set(key, format);
  }
  return format ? format.format(minor / 100) : `${(minor / 100).toFixed(2)} ${currency}`;
}
