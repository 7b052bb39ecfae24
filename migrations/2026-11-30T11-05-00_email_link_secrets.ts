import type { Kysely } from 'kysely';

// Links with single-use tokens (verification, password reset) are stored with
// a placeholder where the token goes; the token is sealed in this column and
// put into the message only as it is sent. Emails already sent keep their
// text, with the token in their links redacted: the database must not hold a
// working link. (Queued ones keep theirs: they still have to be delivered.)

const TOKEN_TYPES = ['verification', 'password-reset'];
const redact = (s: string) => s.replace(/([?&](?:amp;)?token=)[A-Za-z0-9_-]+/g, '$1[redacted]');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('emails').addColumn('secret_sealed', 'text').execute();
  const rows = await db
    .selectFrom('emails')
    .select(['id', 'html', 'text'])
    .where('type', 'in', TOKEN_TYPES)
    .where('status', 'in', ['sent', 'failed'])
    .execute();
  for (const row of rows) {
    const html = redact(row.html);
    const text = redact(row.text);
    if (html !== row.html || text !== row.text) await db.updateTable('emails').set({ html, text }).where('id', '=', row.id).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('emails').dropColumn('secret_sealed').execute();
}
