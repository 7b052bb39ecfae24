import { describe, expect, it } from 'vitest';
import { periodRange } from '../../plugins/rewards/limit-period.ts';

describe('limit periods', () => {
  const at = new Date('2026-03-08T12:00:00Z'); // a Sunday; New York moves to EDT at 02:00 that day

  it('starts calendar periods at local midnight in the zone', () => {
    expect(periodRange('day', at, 'America/New_York')).toEqual({ from: '2026-03-08T05:00:00.000Z', to: '2026-03-09T04:00:00.000Z' });
    // ISO weeks start on Monday: Sunday the 8th belongs to the week of Monday the 2nd.
    expect(periodRange('week', at, 'America/New_York')).toEqual({ from: '2026-03-02T05:00:00.000Z', to: '2026-03-09T04:00:00.000Z' });
    expect(periodRange('month', at, 'Asia/Tokyo')).toEqual({ from: '2026-02-28T15:00:00.000Z', to: '2026-03-31T15:00:00.000Z' });
    expect(periodRange('year', new Date('2026-12-31T23:30:00Z'), 'Europe/Berlin')).toEqual({ from: '2026-12-31T23:00:00.000Z', to: '2027-12-31T23:00:00.000Z' });
  });

  it('spans every rolling window holding the event (days either side), and has no bounds for a lifetime', () => {
    // Windows (s - 30 days, s] with s from the event's moment to 30 days later: later events' rewards share them.
    expect(periodRange('rolling', at, 'UTC', 30)).toEqual({ from: '2026-02-06T12:00:00.001Z', to: '2026-04-07T12:00:00.000Z' });
    expect(periodRange('lifetime', at, 'UTC')).toBeNull();
  });
});

describe('limit periods, remembered', () => {
  it('answers the next period correctly after the previous one was kept', () => {
    const a = periodRange('day', new Date('2026-03-08T12:00:00Z'), 'Europe/Paris');
    expect(periodRange('day', new Date('2026-03-08T20:00:00Z'), 'Europe/Paris')).toBe(a);
    expect(periodRange('day', new Date('2026-03-08T23:30:00Z'), 'Europe/Paris')).toEqual({ from: '2026-03-08T23:00:00.000Z', to: '2026-03-09T23:00:00.000Z' });
    expect(periodRange('day', new Date('2026-03-01T12:00:00Z'), 'Europe/Paris')).toEqual({ from: '2026-02-28T23:00:00.000Z', to: '2026-03-01T23:00:00.000Z' });
  });
});
