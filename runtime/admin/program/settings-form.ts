import type { ApiError } from '../admin-env.ts';
import { pointerProblems } from '../api-errors.ts';
import { parseLocated } from '../json-locator.ts';
import { REFERRAL_FIELD_NAMES, referralChecksOf, referralFieldOf, referralValuesOf } from './referral-checks-form.ts';

// The program settings form: text fields in, the PATCH body out, and the
// API's pointers back to the field each names. The console checks only what
// it must to build JSON (a "2027 = 200000" line, the limits' JSON syntax);
// every rule about values is the API's, shown at its field.

export type SettingsField = {
  name: string;
  label: string;
  kind: 'int' | 'decimal' | 'text' | 'url' | 'bool' | 'map' | 'json';
  hint: string;
};

export const SETTINGS_FIELDS: SettingsField[] = [
  { name: 'timeZone', label: 'Time zone', kind: 'text', hint: 'IANA name such as America/New_York: the calendar of the tax year and of limits’ days, weeks and months.' },
  { name: 'holdDays', label: 'Hold days', kind: 'int', hint: 'Days a reward stays pending before it is available, for reward actions that do not say. Blank: none.' },
  { name: 'expiresInDays', label: 'Expires in days', kind: 'int', hint: 'Days an available reward can be redeemed, for reward actions that do not say. Blank: never expires.' },
  { name: 'taxThresholds', label: 'Tax thresholds (USD cents per year)', kind: 'map', hint: 'One line per tax year: 2027 = 200000 means $2,000.00 or more in cash that year needs a W-9. Overrides the built-in table.' },
  { name: 'w9ThresholdCents', label: 'Older single W-9 threshold (USD cents)', kind: 'int', hint: 'More than this many cents, for years the thresholds above do not name. Blank: the built-in table.' },
  { name: 'w9Hold', label: 'Hold cash that crosses the threshold until the W-9 is on file', kind: 'bool', hint: 'The reward stays pending (waiting for a W-9) until it is marked on file.' },
  { name: 'usdRates', label: 'USD rates', kind: 'map', hint: 'One line per currency: EUR = 1.08 (USD per unit), to count other currencies’ cash toward the W-9 threshold.' },
  { name: 'payoutReminder.everyDays', label: 'Payout reminder every (days)', kind: 'int', hint: 'While payout details are missing and a reward waits for them.' },
  { name: 'payoutReminder.maxReminders', label: 'Payout reminders at most', kind: 'int', hint: '0 sends none.' },
  { name: 'verificationTtlHours', label: 'Verification link valid (hours)', kind: 'int', hint: '1 to 720.' },
  { name: 'passwordResetTtlMinutes', label: 'Password reset link valid (minutes)', kind: 'int', hint: '5 to 1440.' },
  { name: 'w9FormUrl', label: 'W-9 form link', kind: 'url', hint: 'Where the W-9 email sends participants. Blank: none.' },
  { name: 'payoutDetailsUrl', label: 'Payout details link', kind: 'url', hint: 'Where payout reminders send participants. Blank: none.' },
  { name: 'limits', label: 'Limits (JSON)', kind: 'json', hint: 'At most 10, e.g. [{"name": "referrals-per-month", "scope": "referrer", "measure": "count", "period": "month", "max": 5}]. See docs/api.md.' },
];

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

const MAX_LINES = 300;

/** The stored settings as the form's texts. */
export function valuesOf(name: string, settings: Record<string, any>): FormValues {
  const out: FormValues = { name };
  for (const f of SETTINGS_FIELDS) {
    const [a, b] = f.name.split('.');
    const v = b ? settings[a]?.[b] : settings[a];
    if (v === undefined || v === null) out[f.name] = '';
    else if (f.kind === 'bool') out[f.name] = v ? 'on' : '';
    else if (f.kind === 'map') out[f.name] = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k} = ${x}`).join('\n');
    else if (f.kind === 'json') out[f.name] = (v as unknown[]).length ? JSON.stringify(v, null, 2) : '';
    else out[f.name] = String(v);
  }
  return { ...out, ...referralValuesOf(settings.referralChecks) };
}

/** A number where the text is one; otherwise the text itself, so the API's message names what is wrong. */
const numberOrText = (s: string): number | string => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s);

/** The form as the PATCH body; a blank field is null (the API removes the setting: its default applies). */
export function patchOf(form: FormValues): { body: { name: string; settings: Record<string, unknown> }; errors: FieldErrors } {
  const settings: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  const reminder: Record<string, unknown> = {};
  for (const f of SETTINGS_FIELDS) {
    const text = (form[f.name] ?? '').trim();
    let value: unknown = null;
    if (f.kind === 'bool') value = form[f.name] === 'on' ? true : null;
    else if (text === '') value = null;
    else if (f.kind === 'int' || f.kind === 'decimal') value = numberOrText(text);
    else if (f.kind === 'map') {
      const map: Record<string, unknown> = {};
      const lines = text.split('\n');
      if (lines.length > MAX_LINES) errors[f.name] = `at most ${MAX_LINES} lines`;
      else
        lines.forEach((line, i) => {
          if (!line.trim()) return;
          const m = /^\s*([^=:\s]+)\s*[=:]\s*(\S+)\s*$/.exec(line);
          if (!m) errors[f.name] ??= `line ${i + 1}: write it as KEY = VALUE`;
          else map[m[1]] = numberOrText(m[2]);
        });
      value = map;
    } else if (f.kind === 'json') {
      const parsed = parseLocated(text);
      if (!parsed.ok) errors[f.name] = `line ${parsed.error.line}: ${parsed.error.message}`;
      else value = parsed.value;
    } else value = text;
    const [a, b] = f.name.split('.');
    if (b) {
      if (value !== null) reminder[b] = value;
    } else settings[a] = value;
  }
  settings.payoutReminder = Object.keys(reminder).length ? reminder : null;
  settings.referralChecks = referralChecksOf(form);
  return { body: { name: (form.name ?? '').trim(), settings }, errors };
}

/** Each API problem at its field: /settings/payoutReminder/everyDays → payoutReminder.everyDays, deeper parts named in the message. */
export function settingsErrors(error: ApiError | null): { fields: FieldErrors; unplaced: string[] } {
  const fields: FieldErrors = {};
  const unplaced: string[] = [];
  const known = new Set(['name', ...SETTINGS_FIELDS.map((f) => f.name), ...REFERRAL_FIELD_NAMES]);
  for (const p of pointerProblems(error)) {
    const parts = p.pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const [top, key, ...rest] = parts;
    let field = top === 'settings' ? key : top;
    let inner = rest;
    if (field === 'payoutReminder' && rest.length) [field, inner] = [`payoutReminder.${rest[0]}`, rest.slice(1)];
    if (field === 'payoutReminder') field = 'payoutReminder.everyDays';
    if (field === 'referralChecks') {
      // Every referral check field is its own: the message needs no path.
      const placed = referralFieldOf(rest);
      if (placed) {
        fields[placed] ??= p.message;
        continue;
      }
    }
    if (!field || !known.has(field)) {
      unplaced.push(`${p.message} (${p.pointer})`);
      continue;
    }
    // Inside a limit: "limit 1, currency"; inside a map: its key.
    const named = inner.length > 0 && p.message.startsWith(`${inner.at(-1)} `);
    const where = field === 'limits' && inner.length ? `limit ${Number(inner[0]) + 1}${inner[1] && !named ? `, ${inner.slice(1).join('.')}` : ''}: ` : inner.length && !named ? `${inner.join('.')}: ` : '';
    fields[field] ??= `${where}${p.message}`;
  }
  return { fields, unplaced };
}
