import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { fromBase64Url, toBase64Url, utf8 } from '../security/encoding.ts';
import type { Cursor } from '../store/pagination.ts';
import { IsoTime } from './schemas.ts';
import { documentedAs } from '../openapi/documented-as.ts';

// One paging convention for every list: newest first, `limit` (1-200, default
// 50), and `before` = the `next` of the previous page (null on the last page).
// The cursor is opaque to clients: base64url of [createdAt, id].

export const PageQuery = {
  limit: documentedAs(
    v.optional(
      v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(1, 'must be at least 1'), v.maxValue(200, 'must be at most 200')),
      '50',
    ),
    { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'items per page' },
  ),
  before: v.optional(v.pipe(v.string(), v.maxLength(600), v.description('the `next` of the previous page'))),
};

/** Optional bounds on createdAt: from (inclusive) and to (exclusive). */
export const CreatedRange = {
  from: v.optional(v.pipe(IsoTime, v.description('only items created at or after this time'))),
  to: v.optional(v.pipe(IsoTime, v.description('only items created before this time'))),
};

const ISO = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/;

export function decodeCursor(before: string | undefined): Cursor | undefined {
  if (before === undefined) return undefined;
  // A bare timestamp: the cursor GET /v1/emails answered before cursors carried an id.
  if (ISO.test(before)) return { at: before, id: '' };
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(fromBase64Url(before)));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) return { at: parsed[0], id: parsed[1] };
  } catch {
    // answered below
  }
  throw new AppError('validation_failed', 'The query is invalid', [{ pointer: '/before', message: 'is not a cursor from this list; pass the `next` of the previous page' }]);
}

export function nextCursor<R extends { created_at: string; id: string }>(rows: readonly R[], limit: number): string | null {
  if (rows.length < limit) return null;
  const last = rows[rows.length - 1];
  return toBase64Url(utf8.encode(JSON.stringify([last.created_at, last.id])));
}
