import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';

// Each 5xx the fuzz run (fuzz.test.ts) found, as a fixed case on both
// databases: PostgreSQL's integer columns are 32-bit, so a number SQLite
// stores quietly is an error there unless the API bounds it first.

describe.each(DIALECTS)('fuzz findings on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let programId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    token = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token, body: { email: 'p1@example.com' } });
  });
  afterAll(() => h.close());

  it('answers a rollback to a version beyond any integer column with 422, not 500', async () => {
    for (const version of [6.249419631373295e63, 2 ** 31, 1e9]) {
      const res = await h.request('POST', `/v1/programs/${programId}/rules/rollback`, { token, body: { version } });
      expect(res.status, String(version)).toBe(422);
      expect(res.body.error.details[0].pointer).toBe('/version');
    }
    // The largest version the path form accepts is still looked up (and not found).
    expect((await h.request('POST', `/v1/programs/${programId}/rules/rollback`, { token, body: { version: 999_999_999 } })).status).toBe(404);
  });
});
