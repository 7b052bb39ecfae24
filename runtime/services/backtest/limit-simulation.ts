import type { ProgramView, RewardDraft } from '../../../plugins/types.ts';
import { applyLimits, limitsCovering, type LimitDecision, type LimitScope, type LimitUsage } from '../../../plugins/rewards/limit-policy.ts';

// The program's limits applied to the candidate's rewards in memory, in the
// order the events happened: what the candidate would have paid is what
// counts, not what was paid. Calendar and lifetime periods are counted
// exactly; a rolling period by UTC day (a reward counts for the whole day it
// falls in). Usage from before the window is not counted (the report says so).

const DAY = 86_400_000;

/** Usage per (limit, recipient, period start); `until` (ms) lets a finished period be dropped. */
export type LimitUsageState = { entries: Record<string, { count: number; amount: number; until: number | null }>; size: number; truncated: boolean };

/** Bounds what the job stores per chunk: past it, new scopes start from zero and the report says the simulation was truncated. */
export const MAX_LIMIT_ENTRIES = 20_000;

export function emptyLimitUsage(): LimitUsageState {
  return { entries: {}, size: 0, truncated: false };
}

function keysOf(scope: LimitScope, atMs: number): { keys: string[]; write: string; until: number | null } {
  const base = `${scope.limit.name}\u0000${scope.participantId ?? ''}\u0000`;
  if (scope.limit.period === 'rolling') {
    const today = Math.floor(atMs / DAY);
    const days = scope.limit.days ?? 1;
    const keys: string[] = [];
    for (let d = today - days + 1; d <= today; d++) keys.push(`${base}r${d}`);
    return { keys, write: `${base}r${today}`, until: (today + days) * DAY };
  }
  const key = `${base}${scope.range?.from ?? 'lifetime'}`;
  return { keys: [key], write: key, until: scope.range ? Date.parse(scope.range.to) : null };
}

export async function simulateLimits(state: LimitUsageState, program: ProgramView, eventParticipantId: string, occurredAt: string, drafts: RewardDraft[]): Promise<LimitDecision> {
  const { limits, timeZone } = program.settings;
  if (limits.length === 0 || drafts.length === 0) return { kept: drafts, skipped: [] };
  const at = new Date(occurredAt);
  const atMs = at.getTime();
  const usage = async (scope: LimitScope): Promise<LimitUsage> => {
    const total = { count: 0, amount: 0 };
    for (const key of keysOf(scope, atMs).keys) {
      const e = state.entries[key];
      if (e) {
        total.count += e.count;
        total.amount += e.amount;
      }
    }
    return total;
  };
  const decision = await applyLimits({ limits, drafts, eventParticipantId, occurredAt: at, timeZone, usage });
  for (const draft of decision.kept) {
    for (const { scope } of limitsCovering(draft, { limits, eventParticipantId, occurredAt: at, timeZone })) {
      const { write, until } = keysOf(scope, atMs);
      let e = state.entries[write];
      if (!e) {
        if (state.size >= MAX_LIMIT_ENTRIES) {
          state.truncated = true;
          continue;
        }
        e = state.entries[write] = { count: 0, amount: 0, until };
        state.size += 1;
      }
      e.count += 1;
      e.amount += draft.amountMinor;
    }
  }
  return decision;
}

/** Drops the periods that ended before `nowMs` (the replay moves forward in time, so they count no more). */
export function pruneLimitUsage(state: LimitUsageState, nowMs: number): void {
  for (const [key, e] of Object.entries(state.entries)) if (e.until !== null && e.until <= nowMs) {
      delete state.entries[key];
      state.size -= 1;
    }
}
