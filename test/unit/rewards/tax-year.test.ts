import { describe, expect, it } from 'vitest';
import { taxYear, yearIn } from '../../../plugins/rewards/tax-year.ts';
import { cashInUsd, crossesW9Threshold } from '../../../plugins/rewards/cash-ledger.ts';
import { toMinorUnits } from '../../../plugins/rewards/money.ts';

describe('tax year', () => {
  it('is the calendar year in the program time zone', () => {
    const instant = new Date('2027-01-01T03:00:00Z');
    expect(yearIn(instant, 'UTC')).toBe(2027);
    expect(yearIn(instant, 'America/New_York')).toBe(2026);
    expect(yearIn(new Date('2026-12-31T15:30:00Z'), 'Asia/Tokyo')).toBe(2027);
  });

  it('gives the UTC range of the local year', () => {
    expect(taxYear(new Date('2026-07-01T00:00:00Z'), 'America/New_York')).toEqual({ year: 2026, from: '2026-01-01T05:00:00.000Z', to: '2027-01-01T05:00:00.000Z' });
    expect(taxYear(new Date('2026-07-01T00:00:00Z'), 'Asia/Kolkata')).toEqual({ year: 2026, from: '2025-12-31T18:30:00.000Z', to: '2026-12-31T18:30:00.000Z' });
    expect(taxYear(new Date('2026-07-01T00:00:00Z'), 'UTC')).toEqual({ year: 2026, from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
  });
});

describe('cash ledger', () => {
  it('counts USD cash, converts with a rate, and names what it left out', () => {
    const rows = [
      { kind: 'cash', amount_minor: 50000, currency: 'USD' },
      { kind: 'cash', amount_minor: 10000, currency: 'EUR' },
      { kind: 'cash', amount_minor: 10000, currency: 'GBP' },
      { kind: 'credit', amount_minor: 99999, currency: 'USD' },
    ];
    expect(cashInUsd(rows, { usdRates: { EUR: 1.1 } })).toEqual({ cents: 61000, excludedCurrencies: ['GBP'] });
  });

  it('requires more than the threshold', () => {
    expect(crossesW9Threshold(59900, { w9ThresholdCents: 59900 })).toBe(false);
    expect(crossesW9Threshold(59901, { w9ThresholdCents: 59900 })).toBe(true);
  });

  it('turns major units into exact minor units', () => {
    expect(toMinorUnits(19.99)).toBe(1999);
    expect(toMinorUnits(0.29)).toBe(29);
    expect(toMinorUnits(599.01)).toBe(59901);
  });
});
