import { offsetMs } from './tax-year.ts';

// A limit's period as a half-open UTC range around the event's moment:
// calendar periods start at local midnight in the program's time zone (weeks
// on Monday, as ISO 8601 has them); a lifetime has no bounds. A rolling limit
// holds for every window of `days` days; the ones holding the event's moment
// all lie within `days` of it on either side, so that is the range counted.
// Events normally arrive in order and then nothing lies after it; but
// concurrent events are stamped milliseconds apart and take their locks in any
// order, and an event may be posted late with its own occurredAt: counting only
// up to the event's moment would let either overfill a later window.

export type LimitPeriod = 'day' | 'week' | 'month' | 'year' | 'lifetime' | 'rolling';

export type PeriodRange = { from: string; to: string } | null;

const DAY = 86_400_000;

/** The UTC instant of local midnight at the start of the wall-clock date (y, m, d) in `timeZone`. */
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m, d);
  // A second pass settles zones whose offset differs between guess and result.
  return guess - offsetMs(guess - offsetMs(guess, timeZone), timeZone);
}

// A calendar period's bounds never change: the last one per (period, zone) is
// kept, so the events of one day skip the Intl calls (formatToParts) entirely.
const known = new Map<string, { fromMs: number; toMs: number; range: { from: string; to: string } }>();

export function periodRange(period: LimitPeriod, at: Date, timeZone: string, days?: number): PeriodRange {
  const t = at.getTime();
  if (period === 'lifetime') return null;
  if (period === 'rolling') {
    const span = (days ?? 1) * DAY;
    return { from: new Date(t - span + 1).toISOString(), to: new Date(t + span).toISOString() };
  }
  const key = `${period} ${timeZone}`;
  const hit = known.get(key);
  if (hit && hit.fromMs <= t && t < hit.toMs) return hit.range;
  const range = Object.freeze(calendarRange(period, t, timeZone));
  // Bounded: zones are the programs' (validated names), four periods each.
  if (known.size >= 4000) known.clear();
  known.set(key, { fromMs: Date.parse(range.from), toMs: Date.parse(range.to), range });
  return range;
}

function calendarRange(period: 'day' | 'week' | 'month' | 'year', t: number, timeZone: string): { from: string; to: string } {
  const wall = new Date(t + offsetMs(t, timeZone));
  const [y, m, d] = [wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()];
  let start: [number, number, number];
  let end: [number, number, number];
  if (period === 'day') [start, end] = [[y, m, d], [y, m, d + 1]];
  else if (period === 'week') {
    const back = (wall.getUTCDay() + 6) % 7; // days since Monday
    [start, end] = [[y, m, d - back], [y, m, d - back + 7]];
  } else if (period === 'month') [start, end] = [[y, m, 1], [y, m + 1, 1]];
  else [start, end] = [[y, 0, 1], [y + 1, 0, 1]];
  // Date.UTC normalises day and month overflow (d + 1 past a month's end, m + 1 past December).
  return { from: new Date(localMidnight(...start, timeZone)).toISOString(), to: new Date(localMidnight(...end, timeZone)).toISOString() };
}
