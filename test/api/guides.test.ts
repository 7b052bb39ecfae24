import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { rulesJsonSchema } from '../../rules/json-schema.ts';
import { openApiDocument } from '../../runtime/openapi/document.ts';
import { checkExchanges } from '../support/openapi-check.ts';

// The guides' examples are run, so the docs cannot drift from the API. Fenced
// blocks tagged `json rules` are saved as a program's rules (and checked
// against the published JSON Schema); `json dry-run` blocks are evaluated
// against the rules block above them and must fire exactly the rules listed;
// `json condition` blocks are evaluated alone and must pass or fail as stated;
// `json settings` blocks are saved as the settings of the program above them.

type Block = { tag: string; body: any; line: number };

function blocks(file: string): Block[] {
  const text = readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');
  const out: Block[] = [];
  const fence = /^```json (\S+)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(fence)) out.push({ tag: m[1], body: JSON.parse(m[2]), line: text.slice(0, m.index).split('\n').length });
  return out;
}

const schemaAccepts = new Ajv2020({ strict: false }).compile(rulesJsonSchema());

describe.each(DIALECTS)('docs/rules.md examples on %s', (dialect) => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness(dialect);
    token = (await h.tenant()).apiKey;
    await h.request('PUT', '/v1/participants/alice', { token, body: { email: 'alice@example.com', countryCode: 'US', payoutInfoComplete: true } });
    await h.request('PUT', '/v1/participants/bob', { token, body: { email: 'bob@example.com', countryCode: 'GB', referredBy: 'alice' } });
    await h.request('PUT', '/v1/participants/carol', { token, body: { email: 'carol@example.com', countryCode: 'DE' } });
  });
  afterAll(() => h.close());

  it('saves every rules document, and every dry run and condition does what the guide says', async () => {
    const all = blocks('rules.md');
    expect(all.filter((b) => b.tag === 'rules').length).toBeGreaterThanOrEqual(6);
    expect(all.filter((b) => b.tag === 'condition').length).toBeGreaterThanOrEqual(12);
    expect(all.filter((b) => b.tag === 'settings').length).toBeGreaterThanOrEqual(1);
    let programId: string | null = null;
    for (const block of all) {
      const where = `docs/rules.md line ${block.line}`;
      if (block.tag === 'rules') {
        programId = (await h.request('POST', '/v1/programs', { token, body: { name: where } })).body.id;
        const saved = await h.request('PUT', `/v1/programs/${programId}/rules`, { token, body: block.body });
        expect(saved.status, `${where}: ${JSON.stringify(saved.body)}`).toBe(200);
        expect(schemaAccepts(block.body), `${where}: ${JSON.stringify(schemaAccepts.errors)}`).toBe(true);
      } else if (block.tag === 'dry-run') {
        expect(programId, where).not.toBeNull();
        const res = await h.request('POST', `/v1/programs/${programId}/evaluate`, { token, body: block.body.request });
        expect(res.status, `${where}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.fired.map((f: any) => f.rule).sort(), where).toEqual([...block.body.fired].sort());
      } else if (block.tag === 'settings') {
        expect(programId, where).not.toBeNull();
        const saved = await h.request('PATCH', `/v1/programs/${programId}`, { token, body: { settings: block.body } });
        expect(saved.status, `${where}: ${JSON.stringify(saved.body)}`).toBe(200);
        expect(saved.body.settings, where).toMatchObject(block.body);
      } else if (block.tag === 'condition') {
        const scratch = (await h.request('POST', '/v1/programs', { token, body: { name: where } })).body.id;
        const rule = { name: 'example', conditions: { all: [block.body.condition] }, event: { type: 'reward', params: { kind: 'credit', amount: 1 } } };
        const res = await h.request('POST', `/v1/programs/${scratch}/evaluate`, { token, body: { ...block.body.request, rules: [rule] } });
        expect(res.status, `${where}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.fired.length === 1, where).toBe(block.body.result);
      }
    }
  });
});

describe.each(DIALECTS)('docs/email.md examples on %s', (dialect) => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness(dialect, { env: { SPF_INCLUDE: 'spf.refer.example.com' } });
    token = (await h.tenant()).apiKey;
  });
  afterAll(() => h.close());

  it('has SMTP settings the API accepts and a domain whose records are the ones the guide lists', async () => {
    const all = blocks('email.md');
    const smtp = all.filter((b) => b.tag === 'smtp');
    expect(smtp.length).toBeGreaterThanOrEqual(4);
    const doc = openApiDocument() as any;
    const accepts = new Ajv2020({ strict: false }).compile(doc.paths['/v1/settings/email/smtp'].put.requestBody.content['application/json'].schema);
    for (const block of smtp) expect(accepts(block.body), `docs/email.md line ${block.line}: ${JSON.stringify(accepts.errors)}`).toBe(true);

    const [domain] = all.filter((b) => b.tag === 'domain');
    const res = await h.request('PUT', '/v1/settings/email/domain', { token, body: domain.body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const records = res.body.domain.records.map((r: any) => [r.purpose, r.name, r.value.split(';')[0].split(' ')[0]]);
    expect(records).toEqual([
      ['dkim', `${res.body.domain.selector}._domainkey.mail.example.com`, 'v=DKIM1'],
      ['spf', 'mail.example.com', 'v=spf1'],
      ['dmarc', '_dmarc.mail.example.com', 'v=DMARC1'],
    ]);
    expect(res.body.domain.selector).toMatch(/^ar\d{6}$/);
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
