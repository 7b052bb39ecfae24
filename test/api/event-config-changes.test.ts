import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { updateProgramSettings, upsertTemplate } from '../../runtime/store/program-queries.ts';
import { saveEmailSettings } from '../../runtime/store/email-settings-queries.ts';

// The event path keeps configuration in memory per version (settings by their
// text, rules by version, templates by a stamp, switches by their text). An
// edit made by another instance reaches this one only through the database:
// these edits are written straight to the store, as that instance would, and
// the very next event must see each of them.

const emailRule = (name: string) => ({
  name,
  priority: 1,
  conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' }] },
  event: { type: 'email', params: { template: 'email-action', to: 'participant' } },
});

describe.each(DIALECTS)('configuration edits between events on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  let programId: string;
  let n = 0;
  const post = async () => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `e${n++}`, type: 'purchase', participantId: 'bob' } });
    expect(res.status).toBe(201);
    return res.body;
  };
  const template = (key: string, subject: string, at: string) =>
    upsertTemplate(h.store.db, { tenant_id: tenantId, program_id: programId, key, subject, html: '<p>x</p>', text: 'x', updated_at: at });

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ apiKey: key, id: tenantId } = await h.tenant());
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: { rules: [emailRule('first')] } })).status).toBe(200);
    await h.request('PUT', '/v1/participants/bob', { token: key, body: { email: 'bob@example.com' } });
  });
  afterAll(() => h.close());

  it('sees a template of the program replace a default one, even when written with an older timestamp', async () => {
    const byDefault = (await post()).emails[0].subject;
    await template('other', 'unused', '2026-06-15T12:00:10.000Z');
    expect((await post()).emails[0].subject).toBe(byDefault);
    await template('email-action', 'v1 {{ program.name }}', '2020-01-01T00:00:00.000Z');
    expect((await post()).emails[0].subject).toBe('v1 Friends');
  });

  it('sees a template edited by another instance', async () => {
    await template('email-action', 'v2 {{ program.name }}', '2026-06-15T12:00:11.000Z');
    expect((await post()).emails[0].subject).toBe('v2 Friends');
  });

  it('sees the program renamed and its settings changed', async () => {
    await updateProgramSettings(h.store.db, tenantId, programId, JSON.stringify({ timeZone: 'Europe/Paris' }), 'Family', '2026-06-15T12:00:03.000Z');
    expect((await post()).emails[0].subject).toBe('v2 Family');
    const program = await h.request('GET', `/v1/programs/${programId}`, { token: key });
    expect(program.body.settings.timeZone).toBe('Europe/Paris');
  });

  it('sees a notification type switched off and on again', async () => {
    await saveEmailSettings(h.store.db, tenantId, { notifications: JSON.stringify({ emailAction: false }) }, '2026-06-15T12:00:04.000Z');
    expect((await post()).emails).toEqual([]);
    await saveEmailSettings(h.store.db, tenantId, { notifications: JSON.stringify({ emailAction: true }) }, '2026-06-15T12:00:05.000Z');
    expect((await post()).emails).toHaveLength(1);
  });

  it('runs the active rule version after a save and after a rollback', async () => {
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: { rules: [emailRule('second')] } })).status).toBe(200);
    expect((await post()).fired).toEqual([{ rule: 'second', action: 'email' }]);
    expect((await h.request('POST', `/v1/programs/${programId}/rules/rollback`, { token: key, body: { version: 1 } })).status).toBe(200);
    expect((await post()).fired).toEqual([{ rule: 'first', action: 'email' }]);
  });
});
