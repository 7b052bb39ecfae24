import type { FactValues, ParticipantFact, StatsFact } from '../../rules/facts.ts';

// What an event was evaluated with, kept on its row (events.facts) so a
// backtest can replay it exactly later. Only what the store cannot give back
// as it was: the event itself is on the row already, `now` is its created_at,
// the program is read when replaying. A fact the ruleset did not read is left
// out (absent, not null), so a replay knows it is unknown rather than empty.

export type FactSnapshot = {
  /** The rule version the event was evaluated with; null when the program had none active. */
  version: number | null;
  participant: ParticipantFact;
  referrer?: ParticipantFact | null;
  stats?: StatsFact;
  history?: Record<string, unknown>;
};

/** Far above a real snapshot (a participant, a referrer, a few counters); a larger one is not kept and the event replays as approximate. */
export const SNAPSHOT_MAX_BYTES = 16_384;

export type LoadedFacts = { referrer: boolean; stats: boolean; history: readonly string[] };

/** The snapshot's text for the event row, or null when it would pass SNAPSHOT_MAX_BYTES. */
export function snapshotText(facts: FactValues, loaded: LoadedFacts, version: number | null): string | null {
  const snapshot: FactSnapshot = { version, participant: facts.participant as ParticipantFact };
  if (loaded.referrer) snapshot.referrer = (facts.referrer ?? null) as ParticipantFact | null;
  if (loaded.stats) snapshot.stats = facts.stats as StatsFact;
  if (loaded.history.length > 0) snapshot.history = Object.fromEntries(loaded.history.map((key) => [key, facts[key]]));
  const text = JSON.stringify(snapshot);
  // UTF-16 length bounds UTF-8 bytes from below by at most 3x; a cheap check that never lets a huge one through.
  return text.length * 3 <= SNAPSHOT_MAX_BYTES || new TextEncoder().encode(text).length <= SNAPSHOT_MAX_BYTES ? text : null;
}

/** The stored snapshot, or null when there is none (an event from before snapshots, or one too large to keep). */
export function parseSnapshot(text: string | null): FactSnapshot | null {
  if (text === null || text === '') return null;
  try {
    const parsed = JSON.parse(text) as FactSnapshot;
    return parsed && typeof parsed === 'object' && parsed.participant ? parsed : null;
  } catch {
    return null;
  }
}
