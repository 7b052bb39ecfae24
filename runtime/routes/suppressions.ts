import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { deleteSuppression, listSuppressions } from '../store/suppression-queries.ts';
import { suppressionView } from '../services/views.ts';
import { PageQuery } from './pagination.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { NextShape, SuppressionShape } from '../openapi/shapes.ts';

// The tenant's suppression list: addresses whose mailbox a receiving server
// said does not exist. Emails to them are stored `suppressed`; deleting the
// address lets mail go to it again.

/** `next` of the previous page: the last row's created_at and address, so rows created in the same millisecond are not skipped. */
const Cursor = v.pipe(
  v.string(),
  v.maxLength(400),
  v.transform((s) => {
    const at = s.indexOf('|');
    return at > 0 ? { createdAt: s.slice(0, at), address: s.slice(at + 1) } : null;
  }),
  v.check((c) => c !== null, 'must be the `next` value of the previous page'),
  v.transform((c) => c!),
);

const Filter = v.strictObject({
  before: v.optional(Cursor),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.minValue(1), v.maxValue(200)), '50'),
});

export const suppressionRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const f = parseInput(Filter, c.req.query(), 'query');
    const rows = await listSuppressions(c.var.services.store.db, c.var.tenant.id, f);
    const last = rows[rows.length - 1];
    return c.json({ suppressions: rows.map(suppressionView), next: rows.length === f.limit ? `${last.created_at}|${last.address}` : null });
  })
  .delete('/:address', async (c) => {
    const address = parseInput(v.pipe(v.string(), v.maxLength(320)), c.req.param('address'), 'address');
    if (!(await deleteSuppression(c.var.services.store.db, c.var.tenant.id, address))) throw new AppError('not_found', 'this address is not on the suppression list');
    return c.body(null, 204);
  });

export const suppressionDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/suppressions', auth: 'apiKey', tags: ['emails'],
    summary: 'The suppression list: addresses a receiving server said do not exist, newest first',
    description: 'Emails to these addresses are stored `suppressed` and never sent.',
    // `limit` as the integer it means (the same bounds as every list).
    query: v.strictObject({ ...Filter.entries, limit: PageQuery.limit }),
    responses: {
      200: {
        description: 'a page of suppressed addresses',
        schema: v.strictObject({ suppressions: v.array(SuppressionShape), next: NextShape }),
      },
    },
  },
  {
    method: 'delete', path: '/v1/suppressions/:address', auth: 'apiKey', tags: ['emails'],
    summary: 'Take an address off the suppression list, so mail goes to it again',
    params: { address: v.pipe(v.string(), v.maxLength(320)) },
    responses: { 204: { description: 'removed' } },
  },
];
