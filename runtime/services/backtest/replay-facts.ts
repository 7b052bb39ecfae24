import type { Db, DialectName } from '../../store/store.ts';
import type { ParticipantView, ProgramView } from '../../../plugins/types.ts';
import type { FactValues } from '../../../rules/facts.ts';
import { participantsByIds, type ReplayRow } from '../../store/backtest-queries.ts';
import { participantView } from '../views.ts';
import { loadStats } from '../participant-stats.ts';
import { loadHistoryFacts } from '../history-facts.ts';
import { parseSnapshot } from '../fact-snapshot.ts';
import type { Reads } from '../fact-loader.ts';

// The facts each event of a chunk is replayed with. An event that kept its
// snapshot (and the snapshot has every fact the candidate reads) replays
// exactly: no statement. Otherwise what is known now fills the gaps (the
// current participant and referrer, stats and history read today) and the
// event counts as approximate. Reads are batched per chunk.

export type ReplayFacts = {
  facts: FactValues;
  participant: ParticipantView;
  referrer: ParticipantView | null;
  exact: boolean;
  /** The rule version the event was evaluated with; undefined when it is not known (no snapshot). */
  version: number | null | undefined;
};

export async function chunkFacts(db: Db, dialect: DialectName, tenantId: string, program: ProgramView, rows: ReplayRow[], reads: Reads): Promise<(ReplayFacts | null)[]> {
  const snapshots = rows.map((r) => parseSnapshot(r.facts));
  // Whom to read now: participants of events without a snapshot, and referrers the snapshot lacks.
  const wanted = new Set<string>();
  rows.forEach((r, i) => {
    const s = snapshots[i];
    if (!s) wanted.add(r.participant_id);
    else if (reads.needsReferrer && s.referrer === undefined && s.participant.referredBy) wanted.add(s.participant.referredBy);
  });
  const current = new Map<string, ParticipantView>();
  if (wanted.size > 0) for (const row of await participantsByIds(db, tenantId, [...wanted])) current.set(row.id, participantView(row));
  // Referrers of participants read now, in a second batch.
  if (reads.needsReferrer) {
    const referrers = [...current.values()].map((p) => p.referredBy).filter((id): id is string => id !== null && !current.has(id));
    if (referrers.length > 0) for (const row of await participantsByIds(db, tenantId, [...new Set(referrers)])) current.set(row.id, participantView(row));
  }
  const stats = new Map<string, unknown>();
  const out: (ReplayFacts | null)[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const s = snapshots[i];
    const participant = s?.participant ?? current.get(row.participant_id);
    if (!participant) {
      out.push(null);
      continue;
    }
    let exact = s !== null;
    // What the snapshot holds is used even when the candidate does not read it: the sample explains the
    // event's own rules on the same facts.
    let referrer: ParticipantView | null = s?.referrer ?? null;
    if (reads.needsReferrer) {
      if (s && s.referrer !== undefined) referrer = s.referrer;
      else {
        exact = false;
        referrer = participant.referredBy ? (current.get(participant.referredBy) ?? null) : null;
      }
    }
    const event = { type: row.type, data: JSON.parse(row.data) as Record<string, unknown>, occurredAt: row.occurred_at };
    let statsValue: unknown = s?.stats ?? {};
    if (reads.used.has('stats')) {
      if (s?.stats !== undefined) statsValue = s.stats;
      else {
        exact = false;
        if (!stats.has(participant.id)) stats.set(participant.id, await loadStats(db, tenantId, participant, program.settings, new Date(row.occurred_at)));
        statsValue = stats.get(participant.id);
      }
    }
    const history: Record<string, unknown> = { ...s?.history };
    const missing: string[] = [];
    for (const key of reads.history) {
      if (s?.history && Object.hasOwn(s.history, key)) history[key] = s.history[key];
      else missing.push(key);
    }
    if (missing.length > 0) {
      exact = false;
      Object.assign(history, await loadHistoryFacts(db, dialect, missing, { tenantId, programId: program.id, participantId: participant.id, occurredAt: row.occurred_at }));
    }
    const facts: FactValues = {
      event,
      participant,
      referrer,
      program: { id: program.id, name: program.name, settings: program.settings },
      now: row.created_at,
      stats: statsValue,
      ...history,
    };
    out.push({ facts, participant, referrer, exact, version: s ? s.version : undefined });
  }
  return out;
}
