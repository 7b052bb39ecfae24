import { describe, expect, it } from 'vitest';
import { taxYear, yearIn } from '../../../plugins/rewards/tax-year.ts';
import { cashInUsd } from '../../../plugins/rewards/cash-ledger.ts';
import { crossesThreshold, thresholdFor } from '../../../plugins/rewards/tax-thresholds.ts';
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

  it('keeps w9ThresholdCents as "more than" for every year', () => {
    expect(crossesThreshold(59900, 2026, { w9ThresholdCents: 59900, taxThresholds: {} })).toBe(false);
    expect(crossesThreshold(59901, 2026, { w9ThresholdCents: 59900, taxThresholds: {} })).toBe(true);
  });

  it('reads the built-in table per tax year: more than $599 up to 2025, $2,000 or more from 2026', () => {
    const none = { taxThresholds: {} };
    expect(crossesThreshold(59900, 2025, none)).toBe(false);
    expect(crossesThreshold(59901, 2025, none)).toBe(true);
    expect(crossesThreshold(59901, 2019, none)).toBe(true);
    expect(crossesThreshold(199_999, 2026, none)).toBe(false);
    expect(crossesThreshold(200_000, 2026, none)).toBe(true);
    expect(thresholdFor(2031, none)).toEqual({ year: 2031, reportableFromCents: 200_000, source: 'built-in' });
  });

  it('lets taxThresholds override or extend a year, ahead of w9ThresholdCents', () => {
    const settings = { w9ThresholdCents: 59900, taxThresholds: { '2027': 210_000 } };
    expect(crossesThreshold(209_999, 2027, settings)).toBe(false);
    expect(crossesThreshold(210_000, 2027, settings)).toBe(true);
    expect(thresholdFor(2026, settings).source).toBe('override');
  });

  it('turns major units into exact minor units', () => {
    expect(toMinorUnits(19.99)).toBe(1999);
    expect(toMinorUnits(0.29)).toBe(29);
    expect(toMinorUnits(599.01)).toBe(59901);
  });
});
