import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { appendRuleVersion, upsertTemplate } from '../../runtime/store/program-queries.ts';
import { createEngine } from '../../plugins/mail/templates/liquid-engine.ts';

// A tenant's templates are hostile input. The attacks of issue 10 as a tenant
// with one API key would send them: file tags that read the server's files,
// templates that blow the heap or loop for ever, and a stored template that
// only fails when an event fires it.

// A file in the working directory, like SECRET_KEY or the SQLite database: its
// content must never come back in an answer, a preview or an email.
const MARKER = `MARKER-${crypto.randomUUID()}`;
const FILE = `tpl-marker-${crypto.randomUUID().slice(0, 8)}.txt`;
const ABSOLUTE = join(process.cwd(), FILE);

function fileTagSources(): string[] {
  const sources: string[] = [];
  for (const tag of ['include', 'render', 'layout']) {
    sources.push(
      `{% ${tag} '${FILE}' %}`,
      `{% ${tag} "${FILE}" %}`,
      `{% ${tag} ${FILE} %}`,
      `{% ${tag} './${FILE}' %}`,
      `{% ${tag} '${ABSOLUTE}' %}`,
      `{% ${tag} '../${basename(process.cwd())}/${FILE}' %}`,
      `{% ${tag} '../../../../../../../../etc/hostname' %}`,
      `{% assign f = '${FILE}' %}{% ${tag} f %}`,
      `{% assign f = '${FILE}' %}{% ${tag} '{{ f }}' %}`,
      `{% ${tag} data.file %}`,
      `{%- ${tag} '${FILE}' -%}`,
      `{% liquid\n  ${tag} '${FILE}'\n%}`,
      `{% if true %}{% for i in (1..2) %}{% ${tag} '${FILE}' %}{% endfor %}{% endif %}`,
    );
  }
  sources.push(`{% include '${FILE}' with participant %}`, `{% render '${FILE}' for data.list as x %}`, `{% layout none %}x`);
  return sources;
}

const VALID = { subject: 'Hello {{ participant.firstName }}', html: '<p>{{ data.message }}</p>', text: '{{ data.message }}' };
const FIELDS = ['subject', 'html', 'text'] as const;

// Bombs that crashed or stalled the process before limits were set.
const BOMBS: Record<string, { field: (typeof FIELDS)[number]; source: string }> = {
  'range that blew the heap': { field: 'html', source: '{% for i in (1..1000000000) %}x{% endfor %}' },
  'nested loops': { field: 'text', source: '{% for a in (1..1000) %}{% for b in (1..1000) %}{{ b }}{% endfor %}{% endfor %}' },
  'loops over a split list': {
    field: 'html',
    source: `{% assign l = '${'x,'.repeat(99)}x' | split: ',' %}{% for a in l %}{% for b in l %}{% for c in l %}{% endfor %}{% endfor %}{% endfor %}`,
  },
  'doubling appends': { field: 'subject', source: `{% assign s = 'xxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}` },
  'doubling captures': { field: 'text', source: `{% assign s = 'xxxxxxxx' %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}` },
  'output of a long string repeated': { field: 'text', source: `{% assign s = '${'x'.repeat(1000)}' %}{% for i in (1..5000) %}{{ s }}{% endfor %}` },
  'date padding': { field: 'html', source: `{{ 'now' | date: '%1000000000Y' }}` },
  'nesting past the limit': { field: 'html', source: '{% if true %}'.repeat(101) + 'x' + '{% endif %}'.repeat(101) },
  'deeply nested tags': { field: 'html', source: '{% if true %}'.repeat(8000) + '{% endif %}'.repeat(8000) },
};

const rules = {
  rules: [
    { name: 'mail', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'ping' }] }, event: { type: 'email', params: { template: 'custom', to: 'participant', data: { message: 'Hello there', file: FILE } } } },
    { name: 'bonus', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'buy' }] }, event: { type: 'reward', params: { kind: 'cash', amount: 5, currency: 'USD', to: 'participant', description: 'Bonus' } } },
  ],
};

beforeAll(() => writeFileSync(ABSOLUTE, MARKER));
afterAll(() => rmSync(ABSOLUTE, { force: true }));

describe('the template engine', () => {
  // The file tags are refused at parse; behind that, the engine has no file system to read from at all.
  it.each([FILE, ABSOLUTE, `./${FILE}`])('has no file system to read %s from', (file) => {
    const engine = createEngine({ escapeHtml: false });
    expect(() => engine.parseFileSync(file)).toThrow();
    expect(() => engine.renderFileSync(file, {})).toThrow();
    let message = '';
    try {
      engine.renderFileSync(file, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain(MARKER);
  });
});

describe.each(DIALECTS)('hostile templates on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  let programId: string;
  let events = 0;

  const templates = (k: string) => `/v1/programs/${programId}/templates/${k}`;
  const fire = (type: string, data: Record<string, unknown> = {}, id = `evt-${++events}`) =>
    h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id, type, participantId: 'ada', data } });
  /** Stores a template as a row written before the checks existed would be: no validation at all. */
  const storeDirectly = (k: string, source: { subject: string; html: string; text: string }) =>
    upsertTemplate(h.services.store.db, { tenant_id: tenantId, program_id: programId, key: k, ...source, updated_at: h.clock.now().toISOString() });
  const everyEmailRow = () => h.services.store.db.selectFrom('emails').selectAll().execute();

  beforeAll(async () => {
    h = await createHarness(dialect);
    const tenant = await h.tenant();
    key = tenant.apiKey;
    tenantId = tenant.id;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } })).body.id;
    expect((await h.request('PUT', templates('custom'), { token: key, body: VALID })).status).toBe(200);
    const saved = await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: rules });
    expect(saved.body).toMatchObject({ version: 1 });
    expect((await h.request('PUT', '/v1/participants/ada', { token: key, body: { email: 'ada@example.com', firstName: 'Ada', payoutInfoComplete: true } })).status).toBe(201);
  });
  afterAll(async () => {
    // Nothing the attacks did reached a stored or sent email.
    await h.services.dispatcher.drain();
    for (const row of await everyEmailRow()) expect(JSON.stringify(row)).not.toContain(MARKER);
    for (const mail of h.capture.messages) expect(JSON.stringify(mail)).not.toContain(MARKER);
    await h.close();
  });

  it('refuses every file tag on save and on preview, naming the field, and reads no file', async () => {
    for (const source of fileTagSources()) {
      for (const field of FIELDS) {
        const body = { ...VALID, [field]: source };
        for (const [method, path] of [['PUT', templates('custom')], ['POST', `${templates('custom')}/preview`]] as const) {
          const res = await h.request(method, path, { token: key, body });
          expect(JSON.stringify(res.body)).not.toContain(MARKER);
          expect({ source, field, method, status: res.status, code: res.body.error?.code }).toEqual({ source, field, method, status: 422, code: 'validation_failed' });
          expect(res.body.error.details.map((d: any) => d.pointer)).toEqual([`/${field}`]);
          expect(res.body.error.details[0].message).toMatch(/tag is not allowed/);
        }
      }
    }
    // Nothing refused was written: the program's template is still the one saved first.
    const listed = await h.request('GET', `/v1/programs/${programId}/templates`, { token: key });
    expect(listed.body.templates.find((t: any) => t.key === 'custom')).toMatchObject(VALID);
  });

  it.each(Object.entries(BOMBS))('refuses a %s on save and on preview with 422 and the pointer', async (_name, bomb) => {
    const body = { ...VALID, [bomb.field]: bomb.source };
    const put = await h.request('PUT', templates('custom'), { token: key, body });
    expect(put.status).toBe(422);
    expect(put.body.error.details).toEqual([{ pointer: `/${bomb.field}`, message: expect.stringMatching(/limit|more than|too deeply|deep$/) }]);
    const preview = await h.request('POST', `${templates('custom')}/preview`, { token: key, body });
    expect(preview.status).toBe(422);
    expect(preview.body.error.details.map((d: any) => d.pointer)).toEqual([`/${bomb.field}`]);
  });

  it('keeps /health answering while a bomb is refused', async () => {
    const bomb = { ...VALID, html: BOMBS['nested loops'].source };
    const [refused, health] = await Promise.all([
      h.request('POST', `${templates('custom')}/preview`, { token: key, body: bomb }),
      h.request('GET', '/health'),
    ]);
    expect(refused.status).toBe(422);
    expect(health.status).toBe(200);
    expect((await h.request('GET', '/health')).status).toBe(200);
  });

  it('records the event and stores the email as failed when a stored template reads a file (a row from before the fix)', async () => {
    for (const [i, source] of fileTagSources().entries()) {
      const field = FIELDS[i % 3];
      await storeDirectly('custom', { ...VALID, [field]: source });
      const id = `file-tag-${i}`;
      const res = await fire('ping', {}, id);
      expect({ source, status: res.status }).toEqual({ source, status: 201 });
      expect(res.body.emails).toHaveLength(1);
      expect(res.body.emails[0]).toMatchObject({ template: 'custom', status: 'failed', attempts: 0, nextAttemptAt: null });
      expect(res.body.emails[0].lastResponse).toMatch(new RegExp(`^template_error: /${field}: the \\{% \\w+ %\\} tag is not allowed`));
      expect(JSON.stringify(res.body)).not.toContain(MARKER);
      const again = await fire('ping', {}, id);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(res.body);
    }
    await h.services.dispatcher.drain();
    expect(h.capture.messages.filter((m) => m.to === 'ada@example.com')).toEqual([]);
  });

  it('shows the template error in the email log, refuses to retry it and never sends it', async () => {
    await storeDirectly('custom', { ...VALID, html: `<p>{% include '${FILE}' %}</p>` });
    const res = await fire('ping');
    expect(res.status).toBe(201);
    const emailId = res.body.emails[0].id;
    await h.services.dispatcher.drain();

    const log = await h.request('GET', '/v1/emails?status=failed', { token: key });
    const listed = log.body.emails.find((e: any) => e.id === emailId);
    expect(listed).toMatchObject({ status: 'failed', attempts: 0, sentAt: null, lastResponse: expect.stringMatching(/^template_error: \/html: /) });
    const detail = await h.request('GET', `/v1/emails/${emailId}`, { token: key });
    expect(detail.body).toMatchObject({ status: 'failed', html: '', text: '' });
    expect(JSON.stringify(detail.body)).not.toContain(MARKER);

    const retry = await h.request('POST', `/v1/emails/${emailId}/retry`, { token: key });
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('conflict');
    await h.services.dispatcher.drain();
    expect((await h.request('GET', `/v1/emails/${emailId}`, { token: key })).body.status).toBe('failed');
    expect(h.capture.messages.filter((m) => m.to === 'ada@example.com')).toEqual([]);
  });

  it('records an event whose data makes an accepted template exceed a limit, and still sends when it does not', async () => {
    // Sample data has no event.data.n, so the range is empty and the template is accepted.
    const loop = { ...VALID, text: '{% for i in (1..event.data.n) %}x{% endfor %}' };
    expect((await h.request('PUT', templates('custom'), { token: key, body: loop })).status).toBe(200);

    const bomb = await fire('ping', { n: 1_000_000_000 });
    expect(bomb.status).toBe(201);
    expect(bomb.body.emails[0]).toMatchObject({ status: 'failed', lastResponse: expect.stringMatching(/^template_error: \/text: .*memory limit/) });
    const replay = await fire('ping', { n: 1_000_000_000 }, bomb.body.event.id);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(bomb.body);

    const fine = await fire('ping', { n: 3 });
    expect(fine.status).toBe(201);
    expect(fine.body.emails[0].status).toBe('queued');
    await h.services.dispatcher.drain();
    const sent = h.capture.messages.filter((m) => m.to === 'ada@example.com');
    expect(sent.map((m) => m.text)).toEqual(['xxx']);
  });

  it('keeps the reward when the reward email template fails', async () => {
    await storeDirectly('reward', { subject: `{% render '${ABSOLUTE}' %}`, html: '<p>x</p>', text: 'x' });
    const res = await fire('buy');
    expect(res.status).toBe(201);
    expect(res.body.rewards).toHaveLength(1);
    expect(res.body.emails).toEqual([expect.objectContaining({ type: 'reward', status: 'failed', lastResponse: expect.stringMatching(/^template_error: \/subject: /) })]);
  });

  it('records the event when a stored rule names a template that does not exist', async () => {
    // Rules are checked against the templates on save; this version is written directly, as an old row could be.
    const ghosts = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Ghosts' } })).body.id;
    const document = { rules: [{ ...rules.rules[0], event: { type: 'email', params: { template: 'ghost', to: 'participant' } } }] };
    await appendRuleVersion(h.services.store.db, { tenant_id: tenantId, program_id: ghosts, document: JSON.stringify(document), content_hash: 'ghost', created_at: h.clock.now().toISOString() }, h.clock.now().toISOString());
    const res = await h.request('POST', `/v1/programs/${ghosts}/events`, { token: key, body: { id: 'ghost-1', type: 'ping', participantId: 'ada' } });
    expect(res.status).toBe(201);
    expect(res.body.emails).toEqual([expect.objectContaining({ template: 'ghost', status: 'failed', lastResponse: 'template_error: the template ghost does not exist' })]);
  });

  it('still accepts and previews an ordinary template', async () => {
    const preview = await h.request('POST', `${templates('custom')}/preview`, { token: key, body: VALID });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ subject: 'Hello Ada', html: '<p>Thanks for spreading the word!</p>', text: 'Thanks for spreading the word!' });
    expect((await h.request('PUT', templates('custom'), { token: key, body: VALID })).status).toBe(200);
  });
});
