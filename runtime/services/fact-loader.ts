import type { Db, DialectName } from '../store/store.ts';
import type { ParticipantView, ProgramView } from '../../plugins/types.ts';
import { factsUsed, type FactValues } from '../../rules/facts.ts';
import { historyQueryOf } from '../../rules/history-facts.ts';
import type { Ruleset } from '../../rules/schema.ts';
import { findParticipant } from '../store/participant-queries.ts';
import { participantView } from './views.ts';
import { loadStats } from './participant-stats.ts';
import { loadHistoryFacts } from './history-facts.ts';
import type { LoadedRuleset } from './ruleset-service.ts';
import type { LoadedFacts } from './fact-snapshot.ts';

export type FactInput = {
  ruleset: Pick<LoadedRuleset, 'ruleset'> | null;
  event: { type: string; data: Record<string, unknown>; occurredAt: string };
  participant: ParticipantView;
  program: ProgramView;
  now: Date;
};

export type Reads = { used: ReadonlySet<string>; needsReferrer: boolean; history: readonly string[] };
const NOTHING: Reads = { used: new Set(), needsReferrer: false, history: [] };

// Loaded rulesets are cached per version (ruleset-service.ts), so the same
// object comes back for every event of a version: what it reads is worked
// out once per object.
const reads = new WeakMap<Ruleset, Reads>();

/** What a ruleset reads: its facts, whether it needs the referrer, its history questions. Once per ruleset object. */
export function readsOf(ruleset: Ruleset): Reads {
  let r = reads.get(ruleset);
  if (!r) {
    const used = factsUsed(ruleset);
    r = { used, history: [...used].filter((key) => historyQueryOf(key) !== null), needsReferrer: used.has('referrer') || ruleset.rules.some((rule) => (rule.event.params as { to?: string }).to === 'referrer') };
    reads.set(ruleset, r);
  }
  return r;
}

/**
 * Loads, in one pass before evaluation, only the facts the ruleset reads
 * (and the referrer when an action pays or mails one): the evaluator itself
 * never does I/O.
 */
export async function buildFacts(db: Db, dialect: DialectName, tenantId: string, input: FactInput): Promise<{ facts: FactValues; referrer: ParticipantView | null; loaded: LoadedFacts }> {
  const { used, needsReferrer, history } = input.ruleset ? readsOf(input.ruleset.ruleset) : NOTHING;
  const referrerRow = needsReferrer && input.participant.referredBy ? await findParticipant(db, tenantId, input.participant.referredBy) : undefined;
  const referrer = referrerRow ? participantView(referrerRow) : null;
  const facts: FactValues = {
    event: input.event,
    participant: input.participant,
    referrer,
    program: { id: input.program.id, name: input.program.name, settings: input.program.settings },
    now: input.now.toISOString(),
    stats: used.has('stats') ? await loadStats(db, tenantId, input.participant, input.program.settings, input.now) : {},
    // Only the history questions a rule asks; none costs nothing.
    ...(history.length > 0 ? await loadHistoryFacts(db, dialect, history, { tenantId, programId: input.program.id, participantId: input.participant.id, occurredAt: input.event.occurredAt }) : {}),
  };
  return { facts, referrer, loaded: { referrer: needsReferrer, stats: used.has('stats'), history } };
}
