import type { Db } from '../store/store.ts';
import type { ParticipantView, ProgramView } from '../../plugins/types.ts';
import { factsUsed, type FactValues } from '../../rules/facts.ts';
import { findParticipant } from '../store/participant-queries.ts';
import { participantView } from './views.ts';
import { loadStats } from './participant-stats.ts';
import type { LoadedRuleset } from './ruleset-service.ts';

export type FactInput = {
  ruleset: Pick<LoadedRuleset, 'ruleset'> | null;
  event: { type: string; data: Record<string, unknown>; occurredAt: string };
  participant: ParticipantView;
  program: ProgramView;
  now: Date;
};

/**
 * Loads, in one pass before evaluation, only the facts the ruleset reads
 * (and the referrer when an action pays or mails one): the evaluator itself
 * never does I/O.
 */
export async function buildFacts(db: Db, tenantId: string, input: FactInput): Promise<{ facts: FactValues; referrer: ParticipantView | null }> {
  const used = input.ruleset ? factsUsed(input.ruleset.ruleset) : new Set<string>();
  const needsReferrer = used.has('referrer') || (input.ruleset?.ruleset.rules ?? []).some((r) => (r.event.params as { to?: string }).to === 'referrer');
  const referrerRow = needsReferrer && input.participant.referredBy ? await findParticipant(db, tenantId, input.participant.referredBy) : undefined;
  const referrer = referrerRow ? participantView(referrerRow) : null;
  const facts: FactValues = {
    event: input.event,
    participant: input.participant,
    referrer,
    program: { id: input.program.id, name: input.program.name, settings: input.program.settings },
    now: input.now.toISOString(),
    stats: used.has('stats') ? await loadStats(db, tenantId, input.participant, input.program.settings, input.now) : {},
  };
  return { facts, referrer };
}
