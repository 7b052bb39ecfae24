import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { deleteSuppression, listSuppressions } from '../store/suppression-queries.ts';
import { suppressionView } from '../services/views.ts';

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
