import * as v from 'valibot';

// Input pieces shared by several routes.

export const Id = v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(200), v.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'may use letters, digits and . _ : @ -'));

/** The pattern admits 2026-02-31; Date would quietly roll it over to March, so the day is checked too. */
const isCalendarDate = (s: string) => {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
};

export const IsoTime = v.pipe(
  v.string(),
  v.isoTimestamp('must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-27T10:00:00Z'),
  v.check(isCalendarDate, 'is not a date of the calendar'),
);

export const JsonObject = v.record(v.string(), v.unknown());

export const HttpUrl = v.pipe(v.string(), v.maxLength(2000), v.url('must be a URL'), v.regex(/^https?:\/\//i, 'must be an http or https URL'));

/** A token from an emailed link; anything longer than ours cannot be one. */
export const Token = v.pipe(v.string('is required'), v.minLength(1, 'is required'), v.maxLength(200));
