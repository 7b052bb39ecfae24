import type { Db } from '../store/store.ts';
import { limitUsage, type LimitGuard, type LimitUsageQuery } from '../store/reward-limit-queries.ts';
import type { ProgramView, RewardDraft } from '../../plugins/types.ts';
import { applyLimits, limitsCovering, type LimitDecision, type LimitScope } from '../../plugins/rewards/limit-policy.ts';

export type LimitsInput = { tenantId: string; program: ProgramView; eventParticipantId: string; occurredAt: string };

function usageQueryOf(input: LimitsInput, scope: LimitScope): LimitUsageQuery {
  return {
    tenantId: input.tenantId,
    programId: input.program.id,
    ...(scope.participantId !== undefined ? { participantId: scope.participantId } : {}),
    referralsOnly: scope.referralsOnly,
    ...(scope.limit.kind !== undefined ? { kind: scope.limit.kind } : {}),
    ...(scope.limit.currency !== undefined ? { currency: scope.limit.currency } : {}),
    range: scope.range,
  };
}

/**
 * The program's limits applied to an event's reward drafts, reading what
 * already counts from `db`. Race-safe only when the caller holds the locks
 * (writeRewardEffects: the program's row when a limit is program-wide, then
 * the recipients'), so no concurrent event can add a reward between this
 * count and the insert; on SQLite the writer lock does the same. D1 has no
 * transactions: there each insert carries its limits (limitGuards). A dry run
 * calls this without locks: an estimate.
 */
export async function checkLimits(db: Db, input: LimitsInput & { drafts: RewardDraft[] }): Promise<LimitDecision> {
  const { limits, timeZone } = input.program.settings;
  if (limits.length === 0 || input.drafts.length === 0) return { kept: input.drafts, skipped: [] };
  return applyLimits({
    limits,
    drafts: input.drafts,
    eventParticipantId: input.eventParticipantId,
    occurredAt: new Date(input.occurredAt),
    timeZone,
    usage: (scope) => limitUsage(db, usageQueryOf(input, scope)),
  });
}

/** The conditions a draft's insert must meet on D1: one per limit covering it. */
export function limitGuards(input: LimitsInput, draft: RewardDraft): LimitGuard[] {
  const { limits, timeZone } = input.program.settings;
  return limitsCovering(draft, { limits, eventParticipantId: input.eventParticipantId, occurredAt: new Date(input.occurredAt), timeZone }).map(({ scope, value }) => ({
    limit: scope.limit.name,
    query: usageQueryOf(input, scope),
    measure: scope.limit.measure,
    value,
    max: scope.limit.max,
  }));
}
