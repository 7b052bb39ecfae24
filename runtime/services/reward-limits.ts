import type { Db } from '../store/store.ts';
import { limitUsage } from '../store/reward-limit-queries.ts';
import type { ProgramView, RewardDraft } from '../../plugins/types.ts';
import { applyLimits, type LimitDecision } from '../../plugins/rewards/limit-policy.ts';

/**
 * The program's limits applied to an event's reward drafts, reading what
 * already counts from `db`. Race-safe only when the caller holds the locks
 * (writeRewardEffects: the program's row when a limit is program-wide, then
 * the recipients'), so no concurrent event can add a reward between this
 * count and the insert. On SQLite the writer lock does the same. On D1, which
 * has no transactions, the count and the insert are separate statements:
 * concurrent events of one program may together pass a limit by at most the
 * number of events in flight. A dry run calls this without locks: an estimate.
 */
export async function checkLimits(
  db: Db,
  input: { tenantId: string; program: ProgramView; eventParticipantId: string; occurredAt: string; drafts: RewardDraft[] },
): Promise<LimitDecision> {
  const { limits, timeZone } = input.program.settings;
  if (limits.length === 0 || input.drafts.length === 0) return { kept: input.drafts, skipped: [] };
  return applyLimits({
    limits,
    drafts: input.drafts,
    eventParticipantId: input.eventParticipantId,
    occurredAt: new Date(input.occurredAt),
    timeZone,
    usage: (scope) =>
      limitUsage(db, {
        tenantId: input.tenantId,
        programId: input.program.id,
        ...(scope.participantId !== undefined ? { participantId: scope.participantId } : {}),
        referralsOnly: scope.referralsOnly,
        ...(scope.limit.kind !== undefined ? { kind: scope.limit.kind } : {}),
        ...(scope.limit.currency !== undefined ? { currency: scope.limit.currency } : {}),
        range: scope.range,
      }),
  });
}
