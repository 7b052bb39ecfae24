import type { Kysely } from 'kysely';

// Why a reward waits for review: the referral checks that flagged it, as a
// JSON array of `{check, detail}`; null for rewards no check flagged. Kept
// after the decision, so the history of a reviewed reward still says why.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rewards').addColumn('review_flags', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rewards').dropColumn('review_flags').execute();
}
