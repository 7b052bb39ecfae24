import * as v from 'valibot';
import { AppError, type ErrorDetail } from './errors.ts';

/** RFC 6901: `~` and `/` inside a key are escaped. */
export function pointerOf(path: readonly (string | number)[]): string {
  return path.map((k) => '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

type Issue = v.BaseIssue<unknown> & { requirement?: unknown };

/** What a person calls the field: its key, `tags[0]` for an item, or what the caller named the whole input. */
function fieldName(keys: readonly (string | number)[], what: string): string {
  const last = keys.at(-1);
  if (last === undefined) return what;
  if (typeof last === 'number') return `${fieldName(keys.slice(0, -1), what)}[${last}]`;
  return last;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'must be a string',
  number: 'must be a number',
  boolean: 'must be true or false',
  object: 'must be an object',
  strict_object: 'must be an object',
  loose_object: 'must be an object',
  record: 'must be an object',
  array: 'must be an array',
  null: 'must be null',
};

const size = (input: unknown, n: unknown, bound: string) => {
  if (bound === 'at least' && n === 1) return 'must not be empty';
  return Array.isArray(input) ? `must have ${bound} ${n} items` : `must be ${bound} ${n} characters long`;
};

/** valibot's default messages ("Invalid type: Expected …") said in words; a message a schema wrote itself is kept. */
function predicate(issue: Issue): string {
  if (!issue.message.startsWith('Invalid ')) return issue.message;
  if (issue.message.startsWith('Invalid key:')) return issue.expected === 'never' ? 'is not a known field' : 'is required';
  if (issue.kind === 'schema') {
    const expected = (issue.expected ?? '').replace(/^\((.*)\)$/, '$1');
    if (issue.type === 'picklist' || issue.type === 'enum') return `must be one of ${expected.split(' | ').join(', ')}`;
    if (issue.type === 'literal') return `must be ${expected}`;
    const words = TYPE_WORDS[issue.type];
    if (words) return / \| null\b|\bnull \| /.test(expected) ? `${words} or null` : words;
    return `must be ${expected.split(' | ').join(' or ') || 'something else'}`;
  }
  switch (issue.type) {
    case 'min_length':
      return size(issue.input, issue.requirement, 'at least');
    case 'max_length':
      return size(issue.input, issue.requirement, 'at most');
    case 'min_value':
      return `must be at least ${issue.requirement}`;
    case 'max_value':
      return `must be at most ${issue.requirement}`;
    case 'gt_value':
      return `must be greater than ${issue.requirement}`;
    case 'integer':
      return 'must be a whole number';
    case 'url':
      return 'must be a URL';
    case 'email':
      return 'must be an email address';
    case 'iso_timestamp':
      return 'must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-27T10:00:00Z';
    case 'regex':
      return 'is not in the expected format';
    default:
      return 'is not valid';
  }
}

/** A predicate ("is required") becomes a sentence that names its field ("id is required"). */
export function humanMessage(issue: v.BaseIssue<unknown>, what = 'value'): string {
  const text = predicate(issue as Issue);
  const keys = (issue.path ?? []).map((p) => p.key as string | number);
  return /^(is|are|must|may|has|have|should|cannot|does)\b/.test(text) ? `${fieldName(keys, what)} ${text}` : text;
}

export function issuesToDetails(issues: readonly v.BaseIssue<unknown>[], base = '', what = 'value'): ErrorDetail[] {
  return issues.map((issue) => ({
    pointer: base + pointerOf((issue.path ?? []).map((p) => p.key as string | number)),
    message: humanMessage(issue, what),
  }));
}

/** Parses untrusted input or throws a 422 naming every bad field. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown, what = 'request body'): v.InferOutput<S> {
  // One message per field: a value that is not a timestamp need not also hear it is not a calendar date.
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  throw new AppError('validation_failed', `The ${what} is invalid`, issuesToDetails(result.issues, '', what));
}
