import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailHarness, type MailHarness } from '../support/mail-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { queueEmails } from '../support/outbox-fixtures.ts';

// One-click unsubscribe (RFC 8058) for the emails rule authors send: the
// header of a message a real SMTP server received, the link's page (no
// change on GET), the one-click POST, and what still goes afterwards.

const RULES = {
  rules: [
    { name: 'news', conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'news' }] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'Our news' } } } },
    {
      name: 'cash',
      conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'cash' }] },
      event: { type: 'reward', params: { kind: 'cash', amount: 10, currency: 'USD', to: 'participant', description: 'Bonus' } },
    },
    {
      name: 'notice-opt-out',
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'check' },
          { fact: 'participant', path: '$.unsubscribed', operator: 'equal', value: true },
        ],
      },
      event: { type: 'reward', params: { kind: 'credit', amount: 1, currency: 'USD', to: 'participant' } },
    },
  ],
};

const unsubscribeLink = (headers: Record<string, string>) => new URL(/^<(https:[^>]+)>$/.exec(headers['list-unsubscribe'] ?? '')![1]);

describe.each(DIALECTS)('unsubscribe on %s', (dialect) => {
  let h: MailHarness;
  let key: string;
  let tenantId: string;
  let programId: string;
  let events = 0;

  const event = async (type: string) => {
    const res = await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: `e${++events}`, type, participantId: 'p0' } });
    expect(res.status).toBe(201);
    return res.body;
  };
  const participant = async () => (await h.request('GET', '/v1/participants/p0', { token: key })).body;

  beforeAll(async () => {
    h = await createMailHarness(dialect);
    ({ apiKey: key, id: tenantId } = await h.tenant('Acme'));
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } })).body.id;
    expect((await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: RULES })).status).toBeLessThan(300);
    expect((await h.request('PUT', '/v1/participants/p0', { token: key, body: { email: 'p0@example.com' } })).status).toBe(201);
  });
  afterAll(() => h.close());

  it('unsubscribes with the one-click POST of a received message, never on GET, and keeps transactional mail going', async () => {
    const news = await event('news');
    const [mail] = await h.inbox('p0@example.com');
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const link = unsubscribeLink(mail.headers);
    expect(link.origin + link.pathname).toBe('https://refer.example.com/unsubscribe');
    const token = link.searchParams.get('token')!;
    expect(token.length).toBeGreaterThan(40);
    // Built as the message left: the token is nowhere in the outbox.
    const stored = await h.services.store.db.selectFrom('emails').selectAll().where('id', '=', news.emails[0].id).execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    // A scanner opening the link changes nothing.
    const shown = await h.app.request(link.pathname + link.search);
    expect(shown.status).toBe(200);
    const html = await shown.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('List-Unsubscribe');
    expect(await participant()).toMatchObject({ unsubscribed: false, unsubscribedAt: null });

    // What a mail client sends for one-click unsubscribe.
    const posted = await h.app.request(link.pathname + link.search, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(posted.status).toBe(200);
    expect(await participant()).toMatchObject({ unsubscribed: true, unsubscribedAt: h.clock.now().toISOString() });
    // Again: still unsubscribed, first date kept.
    h.clock.advance(60_000);
    expect((await h.app.request(link.pathname + link.search, { method: 'POST' })).status).toBe(200);
    expect((await participant()).unsubscribedAt).toBe(new Date(h.clock.now().getTime() - 60_000).toISOString());

    const before = (await h.delivered()).length;
    const skipped = await event('news');
    expect(skipped.emails).toEqual([]);
    // Transactional mail still goes (the payout-details reminder of a cash reward), without an unsubscribe link.
    const cash = await event('cash');
    expect(cash.emails.map((e: { type: string }) => e.type)).toContain('payout-reminder');
    const after = (await h.delivered()).slice(before);
    expect(after.map((m) => m.subject)).toHaveLength(cash.emails.length);
    expect(after.every((m) => m.headers['list-unsubscribe'] === undefined)).toBe(true);

    // An email-action email queued before the click is stopped when the dispatcher picks it up.
    const [late] = await queueEmails(h, tenantId, 1, 'late');
    await h.services.dispatcher.drain();
    const lateRow = (await h.request('GET', `/v1/emails/${late.id}`, { token: key })).body;
    expect(lateRow).toMatchObject({ status: 'suppressed', lastResponse: 'suppressed: the participant unsubscribed' });
    expect((await h.delivered()).length).toBe(before + after.length);

    // Rules read the fact.
    expect((await event('check')).fired.map((f: { rule: string }) => f.rule)).toEqual(['notice-opt-out']);

    // The tenant's backend subscribes them again.
    const back = await h.request('PUT', '/v1/participants/p0', { token: key, body: { email: 'p0@example.com', unsubscribed: false } });
    expect(back.body).toMatchObject({ unsubscribed: false, unsubscribedAt: null });
    const again = await event('news');
    expect(again.emails).toHaveLength(1);
    const last = (await h.inbox('p0@example.com')).pop()!;
    expect(last.headers['list-unsubscribe']).toMatch(/^<https:\/\/refer\.example\.com\/unsubscribe\?token=/);
  });

  it('refuses a link whose token was edited, on GET and POST, changing nothing', async () => {
    await h.request('PUT', '/v1/participants/p0', { token: key, body: { email: 'p0@example.com', unsubscribed: false } });
    await event('news');
    const token = unsubscribeLink((await h.inbox('p0@example.com')).pop()!.headers).searchParams.get('token')!;
    const edited = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    for (const bad of [edited, '', 'x'.repeat(5000)]) {
      const path = `/unsubscribe?token=${encodeURIComponent(bad)}`;
      expect((await h.app.request(path)).status).toBe(400);
      expect((await h.app.request(path, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(400);
    }
    expect(await participant()).toMatchObject({ unsubscribed: false });
  });
});

describe('unsubscribe headers need an https PUBLIC_URL', () => {
  it('leaves them out with an http one (local use), since one-click is HTTPS only', async () => {
    const h = await createMailHarness('sqlite', { env: { PUBLIC_URL: 'http://localhost:3000' } });
    try {
      const { apiKey: key } = await h.tenant('Local');
      const programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'Friends' } })).body.id;
      await h.request('PUT', `/v1/programs/${programId}/rules`, { token: key, body: RULES });
      await h.request('PUT', '/v1/participants/p0', { token: key, body: { email: 'p0@example.com' } });
      expect((await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'n1', type: 'news', participantId: 'p0' } })).body.emails).toHaveLength(1);
      const [mail] = await h.inbox('p0@example.com');
      expect(mail.subject).not.toBe('');
      expect(mail.headers['list-unsubscribe']).toBeUndefined();
      expect(mail.headers['list-unsubscribe-post']).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
