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

function offsetMs(instant: number, timeZone: string): number {
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

/** The tax year containing `date`, as a half-open UTC range of ISO strings. */
export function taxYear(date: Date, timeZone: string): { year: number; from: string; to: string } {
  const year = yearIn(date, timeZone);
  return { year, from: new Date(startOfYear(year, timeZone)).toISOString(), to: new Date(startOfYear(year + 1, timeZone)).toISOString() };
}
