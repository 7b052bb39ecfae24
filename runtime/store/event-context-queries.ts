import type { Db } from './store.ts';
import { runShaped } from './compiled-shapes.ts';
import type { EventTable, ParticipantTable, ProgramTable } from './database.ts';

// Every column of a participant, selected under a prefix so they cannot clash
// with the program's columns of the same name in the joined read below.
const PARTICIPANT_COLUMNS = [
  'tenant_id', 'id', 'email', 'first_name', 'last_name', 'locale', 'country_code', 'referred_by', 'w9_on_file', 'w9_on_file_at',
  'payout_info_complete', 'payout_info_completed_at', 'email_verified', 'email_verified_at', 'password_hash', 'unsubscribed_at', 'referral_flags', 'created_at', 'updated_at',
] as const satisfies readonly (keyof ParticipantTable)[];
// Every column, or the type check fails: a column added to the table and not here would read as undefined.
const allParticipantColumns: Exclude<keyof ParticipantTable, (typeof PARTICIPANT_COLUMNS)[number]> extends never ? true : never = true;
void allParticipantColumns;

export type EventContext = {
  tenant: { id: string; name: string };
  program: Pick<ProgramTable, 'id' | 'name' | 'settings' | 'active_version' | 'created_at'> | undefined;
  participant: ParticipantTable | undefined;
  /** The event stored under this id, if any: a replay, a reuse of the id, or a claim still being written. */
  existing: Pick<EventTable, 'request_hash' | 'response'> | undefined;
  /** The tenant's notification switches as stored (null: no email settings yet, all on). */
  notifications: string | null;
  /** The program's templates_version, moved on by every template write: with the program id, the key of its cached templates. */
  templatesStamp: string;
  /** Whether the tenant has an enabled webhook endpoint: without one, an event announces nothing and skips that read. */
  hasWebhookEndpoints: boolean;
};

/** Who posts the event: a tenant already known (the signed webhook route), or the hash of the API key it came with. */
export type EventPoster = { tenantId: string } | { keyHash: string };

/**
 * What an event reads before it evaluates, in one statement instead of six:
 * the tenant (by its API key, when the request came with one: the key's
 * check is this read, not a statement of its own), the program, the
 * participant, an event already stored under the same id, the tenant's
 * notification switches, and the version of the program's templates.
 * Anchored on the tenant, so a missing program or participant is a null
 * column, not a missing row; no row at all means the key is not (or no
 * longer) valid.
 */
export async function readEventContext(db: Db, poster: EventPoster, programId: string, participantId: string, eventId: string): Promise<EventContext | undefined> {
  const byKey = 'keyHash' in poster;
  const values = { anchor: byKey ? poster.keyHash : poster.tenantId, programId, participantId, eventId };
  const result = await runShaped(db, byKey ? 'readEventContextByKey' : 'readEventContext', values, (slot) => {
    const tenants = db.selectFrom('tenants as t');
    const anchored = byKey
      ? tenants.innerJoin('api_keys as k', (j) => j.onRef('k.tenant_id', '=', 't.id').on('k.key_hash', '=', slot('anchor')))
      : tenants.where('t.id', '=', slot('anchor'));
    return anchored
      .leftJoin('programs as pr', (j) => j.onRef('pr.tenant_id', '=', 't.id').on('pr.id', '=', slot('programId')))
      .leftJoin('participants as pa', (j) => j.onRef('pa.tenant_id', '=', 't.id').on('pa.id', '=', slot('participantId')))
      .leftJoin('events as ev', (j) => j.onRef('ev.tenant_id', '=', 't.id').on('ev.id', '=', slot('eventId')))
      .leftJoin('email_settings as es', 'es.tenant_id', 't.id')
      .select(['t.id as tenant_id', 't.name as tenant_name'])
      .select(['pr.id as program_id', 'pr.name as program_name', 'pr.settings as program_settings', 'pr.active_version as program_active_version', 'pr.created_at as program_created_at', 'pr.templates_version as program_templates_version'])
      .select(PARTICIPANT_COLUMNS.map((c) => `pa.${c} as pa_${c}` as const))
      .select(['ev.request_hash as event_request_hash', 'ev.response as event_response', 'es.notifications as notifications'])
      .select((eb) =>
        eb
          .exists(eb.selectFrom('webhook_endpoints as we').select('we.id').whereRef('we.tenant_id', '=', 't.id').where('we.status', '=', 'enabled'))
          .as('has_webhook_endpoints'),
      );
  });
  const row = result.rows[0];
  if (!row) return undefined;
  const r = row as unknown as Record<string, unknown>;
  return {
    tenant: { id: row.tenant_id, name: row.tenant_name },
    program:
      row.program_id === null
        ? undefined
        : { id: row.program_id, name: row.program_name!, settings: row.program_settings!, active_version: row.program_active_version ?? null, created_at: row.program_created_at! },
    participant: r.pa_id === null ? undefined : (Object.fromEntries(PARTICIPANT_COLUMNS.map((c) => [c, r[`pa_${c}`]])) as ParticipantTable),
    existing: row.event_request_hash === null ? undefined : { request_hash: row.event_request_hash, response: row.event_response! },
    notifications: row.notifications ?? null,
    templatesStamp: String(row.program_templates_version ?? 0),
    // SQLite answers 0/1, PostgreSQL a boolean.
    hasWebhookEndpoints: Boolean(row.has_webhook_endpoints),
  };
}
