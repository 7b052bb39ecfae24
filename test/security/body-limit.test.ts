import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { createApp } from '../../runtime/app.ts';
import { nodeRequestBody } from '../../runtime/node/request-body.ts';

// The 1 MiB bound on /v1 bodies behind the Node server, with the Node entry's
// direct body reader (runtime/node/request-body.ts): the same 413 whether the
// length is announced or the body is chunked, and a body read straight from
// the socket decodes as Request.text() would. One dialect: nothing here is SQL.

const MiB = 1024 * 1024;

type Answer = { status: number; body: any };

describe('the /v1 body bound behind the Node server', () => {
  let h: Harness;
  let server: http.Server;
  let base: URL;
  let key: string;
  let programId: string;
  let directReads = 0;

  beforeAll(async () => {
    h = await createHarness('sqlite');
    key = (await h.tenant()).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    await h.request('PUT', '/v1/participants/p1', { token: key, body: { email: 'p1@example.com' } });
    const app = createApp(h.services, {
      requestBody: (c, max, tooLarge) => {
        const text = nodeRequestBody(c, max, tooLarge);
        if (text) directReads++;
        return text;
      },
    });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as http.Server));
    });
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await new Promise((done) => server?.close(done));
    await h?.close();
  });

  /** Posts `parts` one write each; with `length` it announces Content-Length, otherwise the body goes chunked. */
  const post = (path: string, parts: Buffer[], length?: number) =>
    new Promise<Answer>((resolve, reject) => {
      const headers: Record<string, string | number> = { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' };
      if (length !== undefined) headers['content-length'] = length;
      const req = http.request(new URL(path, base), { method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
      });
      // The server may answer 413 and close before the whole body is sent.
      req.on('error', (error) => (/EPIPE|ECONNRESET/.test(String(error)) ? undefined : reject(error)));
      for (const part of parts) req.write(part);
      req.end();
    });
  const event = (id: string, data: unknown) => Buffer.from(JSON.stringify({ id, type: 'signup', participantId: 'p1', data }));

  it('reads an announced body straight from the socket, a character split across writes and a leading BOM as Request.text() does', async () => {
    const before = directReads;
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), event('split', { name: 'Zoë 🎉 ü' })]);
    // Cut inside the four bytes of 🎉, so the decoder must see the whole body, not each chunk.
    const cut = body.indexOf(Buffer.from('🎉')) + 2;
    const res = await post(`/v1/programs/${programId}/events`, [body.subarray(0, cut), body.subarray(cut)], body.length);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(directReads).toBe(before + 1);
    const stored = await h.store.db.selectFrom('events').select('data').where('id', '=', 'split').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.data)).toEqual({ name: 'Zoë 🎉 ü' });
  });

  it('answers 413 in the one error shape past 1 MiB, announced or chunked, and takes a chunked body under it', async () => {
    const big = event('big', { pad: 'x'.repeat(MiB) });
    const announced = await post(`/v1/programs/${programId}/events`, [big], big.length);
    expect(announced).toEqual({ status: 413, body: { error: { code: 'payload_too_large', message: 'the request body is larger than 1 MiB', details: [] } } });
    const chunked = await post(`/v1/programs/${programId}/events`, [big.subarray(0, MiB / 2), big.subarray(MiB / 2)]);
    expect(chunked.status).toBe(413);
    expect(chunked.body.error.code).toBe('payload_too_large');
    const small = event('chunked', { n: 1 });
    expect((await post(`/v1/programs/${programId}/events`, [small.subarray(0, 10), small.subarray(10)])).status).toBe(201);
  });
});
