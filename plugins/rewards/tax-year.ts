// The W-9 threshold counts rewards per calendar year in the program's time
// zone. Intl gives a zone's wall-clock time; the start of a year in UTC is
// found by correcting a first guess with the zone's offset at that instant.

// Building an Intl formatter costs far more than using one: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
export function offsetMs(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

export function yearIn(date: Date, timeZone: string): number {
  return new Date(date.getTime() + offsetMs(date.getTime(), timeZone)).getUTCFullYear();
}

function startOfYear(year: number, timeZone: string): number {
  const guess = Date.UTC(year, 0, 1);
  let start = guess - offsetMs(guess, timeZone);
  // A second pass settles zones whose offset differs between guess and result.
  start = guess - offsetMs(start, timeZone);
  return start;
}

export type TaxYear = { year: number; from: string; to: string };

// A year's bounds in a zone never change: keep the last few per zone, so an
// event dated in a known year skips the Intl calls (formatToParts) entirely.
const knownYears = new Map<string, { year: TaxYear; fromMs: number; toMs: number }[]>();

/** The tax year containing `date`, as a half-open UTC range of ISO strings. */
export function taxYear(date: Date, timeZone: string): TaxYear {
  const t = date.getTime();
  const known = knownYears.get(timeZone) ?? [];
  const hit = known.find((k) => k.fromMs <= t && t < k.toMs);
  if (hit) return hit.year;
  const year = yearIn(date, timeZone);
  const fromMs = startOfYear(year, timeZone);
  const toMs = startOfYear(year + 1, timeZone);
  const result: TaxYear = Object.freeze({ year, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
  // Bounded twice: a few years per zone, and zones only up to what formatterFor already keeps.
  knownYears.set(timeZone, [{ year: result, fromMs, toMs }, ...known].slice(0, 4));
  return result;
}
