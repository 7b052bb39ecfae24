import { mkdtempSync, rmSync } from 'node:fs';
import { startSink } from './smtp-sink.ts';
import { row, type Row } from './measure.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import nodemailer from 'nodemailer';
import { parseConfig } from '../runtime/config.ts';
import { createApp } from '../runtime/app.ts';
import { buildNodeServices } from '../runtime/node/node-services.ts';
import { silentLogger } from '../runtime/logger.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { inTransaction } from '../runtime/store/store.ts';
import { insertEmailOnce } from '../runtime/store/email-queries.ts';
import type { EmailTable } from '../runtime/store/database.ts';
import { composeEmail } from '../plugins/mail/compose.ts';
import { ALL_ON } from '../plugins/mail/notification-switches.ts';

// Emails per second through the whole outbox (claim with a lease, resolve the
// sender, send over the built-in relay's pool, record the answer) next to
// nodemailer alone sending the same messages over an equally sized pool to
// the same local sink. The ratio is the price of durability and bookkeeping.


const N = 1000;
// Five rounds of 1,000 (about a second each): with three, one slow round moved the median by a tenth.
const ROUNDS = 5;
const WARMUP = 100;
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const MAIL_FROM = 'notifications@bench.example.com';

export async function runMailBench(): Promise<Row[]> {
  const sink = await startSink();
  const dir = mkdtempSync(join(tmpdir(), 'mail-bench-'));
  const config = parseConfig({
    ADMIN_TOKEN,
    SECRET_KEY: generateSecretKey(),
    // A file, not :memory:, so claims and results pay for WAL writes as in production.
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    MAIL_FROM,
    BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`,
    // The per-tenant pacing would measure the limit, not the outbox.
    MAIL_RATE_PER_SECOND: '10000',
  });
  const services = await buildNodeServices(config, { logger: silentLogger });
  // Same pool shape as the relay (smtp-transport.ts), so only the outbox differs.
  const direct = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 3, maxMessages: 100, logger: false });
  try {
    const res = await createApp(services).request('/v1/tenants', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench' }),
    });
    const tenantId = ((await res.json()) as { id: string }).id;

    const compose = async (count: number, prefix: string) => {
      const now = new Date().toISOString();
      const env = { tenantId, program: null, templates: new Map(), switches: ALL_ON, now, messageIdDomain: MAIL_FROM.split('@')[1] };
      const rows: EmailTable[] = [];
      for (let i = 0; i < count; i++) {
        const recipient = { id: `p${i}`, email: `p${i}@example.com`, firstName: `P${i}`, lastName: null, locale: null, countryCode: null, referredBy: null, w9OnFile: false, payoutInfoComplete: false, emailVerified: false, unsubscribed: false, referralFlags: [], createdAt: now };
        rows.push((await composeEmail({ type: 'email-action', template: 'email-action', recipient, idempotencyKey: `${prefix}:${i}`, data: { data: { message: `Message ${i}` } } }, env))!);
      }
      return rows;
    };
    // Queuing (rendering, inserting) is the event service's cost, outside the timed part.
    const outbox = async (rows: EmailTable[]) => {
      await inTransaction(services.store, async (db) => {
        for (const row of rows) await insertEmailOnce(db, row);
      });
      const before = sink.received;
      const started = performance.now();
      const sent = await services.dispatcher.drain();
      const seconds = (performance.now() - started) / 1000;
      if (sent !== rows.length || sink.received - before !== rows.length) throw new Error(`outbox delivered ${sink.received - before} of ${rows.length}`);
      return rows.length / seconds;
    };
    const baseline = async (rows: EmailTable[]) => {
      const before = sink.received;
      const started = performance.now();
      await Promise.all(
        rows.map((r) =>
          direct.sendMail({ from: { name: 'Bench', address: MAIL_FROM }, to: r.to_address, subject: r.subject, html: r.html, text: r.text, messageId: r.message_id }),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      if (sink.received - before !== rows.length) throw new Error(`nodemailer delivered ${sink.received - before} of ${rows.length}`);
      return rows.length / seconds;
    };

    // Warm both paths (JIT, pooled connections) before measuring; each run sends the same rendered messages.
    const warmup = await compose(WARMUP, 'warmup');
    await outbox(warmup);
    await baseline(warmup);
    // Interleaved rounds, alternating which goes first, and the median of each:
    // the two share one machine and one sink, so drift hits both alike.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const messages = await compose(N, `run${round}`);
      if (round % 2 === 0) {
        ours.push(await outbox(messages));
        theirs.push(await baseline(messages));
      } else {
        theirs.push(await baseline(messages));
        ours.push(await outbox(messages));
      }
    }
    const opsPerSec = median(ours);
    const baselineOpsPerSec = median(theirs);
    return [row(`outbox drain, SQLite file, ${N} emails, pooled relay`, opsPerSec, baselineOpsPerSec)];
  } finally {
    direct.close();
    await services.builtinTransport.close();
    await services.store.db.destroy();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}


if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const rows = await runMailBench();
  for (const r of rows) {
    console.log(`${r.name}: ${r.opsPerSec.toFixed(0)} emails/s; nodemailer pool direct ${r.baselineOpsPerSec.toFixed(0)} emails/s; ratio ${r.ratio.toFixed(2)}`);
  }
}
