import type { ProgramView, RewardDraft } from '../../../plugins/types.ts';
import { applyLimits, limitsCovering, type LimitDecision, type LimitScope, type LimitUsage } from '../../../plugins/rewards/limit-policy.ts';

// The program's limits applied to the candidate's rewards in memory, in the
// order the events happened: what the candidate would have paid is what
// counts, not what was paid. Calendar and lifetime periods are counted
// exactly; a rolling period by UTC day (a reward counts for the whole day it
// falls in). A period that began before the window starts from what the store
// counted then (one read per scope, the first time the replay meets it); for a
// rolling period that usage counts as one day, the day before the window.

const DAY = 86_400_000;

/**
 * Usage per (limit, recipient, period start); `until` (ms) lets a finished
 * period be dropped. A rolling period keeps one entry per (limit, recipient)
 * with its days that had rewards, `[day, count, amount]`, oldest first: sparse,
 * so a 10-year window costs what its rewarded days cost.
 */
export type LimitEntry = { count: number; amount: number; until: number | null; days?: [number, number, number][] };
export type LimitUsageState = { entries: Record<string, LimitEntry>; size: number; truncated: boolean };

/** Bounds what the job stores per chunk: past it, new scopes start from zero and the report says the simulation was truncated. */
export const MAX_LIMIT_ENTRIES = 20_000;

export function emptyLimitUsage(): LimitUsageState {
  return { entries: {}, size: 0, truncated: false };
}

/** The store's usage of a scope in a range before the window (runtime/store/reward-limit-queries.ts). */
export type SeedUsage = (scope: LimitScope, range: { from: string; to: string }) => Promise<LimitUsage>;
export type BeforeWindow = { from: string; seed: SeedUsage };

const EPOCH = new Date(0).toISOString();

const keyOf = (scope: LimitScope) =>
  `${scope.limit.name}\u0000${scope.participantId ?? ''}\u0000${scope.limit.period === 'rolling' ? 'rolling' : (scope.range?.from ?? 'lifetime')}`;

/** A rolling entry's days still inside the window ending today (older ones are dropped: the replay only moves forward). */
function rollingDays(e: LimitEntry, today: number, window: number): [number, number, number][] {
  const days = (e.days ??= []);
  let drop = 0;
  while (drop < days.length && days[drop][0] <= today - window) drop++;
  if (drop > 0) days.splice(0, drop);
  return days;
}

/** A scope met for the first time: its entry, holding what the store counted for it before the window (zero included, so it is read once). */
async function seedEntry(state: LimitUsageState, scope: LimitScope, key: string, atMs: number, before: BeforeWindow): Promise<LimitEntry | undefined> {
  const windowFromMs = Date.parse(before.from);
  let from: string;
  if (scope.limit.period === 'rolling') {
    const startMs = atMs - (scope.limit.days ?? 1) * DAY;
    if (startMs >= windowFromMs) return undefined;
    from = new Date(startMs).toISOString();
  } else if (scope.range === null) from = EPOCH;
  else if (Date.parse(scope.range.from) < windowFromMs) from = scope.range.from;
  else return undefined;
  if (state.size >= MAX_LIMIT_ENTRIES) {
    state.truncated = true;
    return undefined;
  }
  const used = await before.seed(scope, { from, to: before.from });
  const e: LimitEntry = { count: 0, amount: 0, until: null };
  if (scope.limit.period === 'rolling') {
    const day = Math.floor((windowFromMs - 1) / DAY);
    e.days = used.count > 0 ? [[day, used.count, used.amount]] : [];
    e.until = (day + (scope.limit.days ?? 1)) * DAY;
  } else {
    e.count = used.count;
    e.amount = used.amount;
    e.until = scope.range ? Date.parse(scope.range.to) : null;
  }
  state.entries[key] = e;
  state.size += 1;
  return e;
}

export async function simulateLimits(
  state: LimitUsageState,
  program: ProgramView,
  eventParticipantId: string,
  occurredAt: string,
  drafts: RewardDraft[],
  before?: BeforeWindow,
): Promise<LimitDecision> {
  const { limits, timeZone } = program.settings;
  if (limits.length === 0 || drafts.length === 0) return { kept: drafts, skipped: [] };
  const at = new Date(occurredAt);
  const today = Math.floor(at.getTime() / DAY);
  const usage = async (scope: LimitScope): Promise<LimitUsage> => {
    const key = keyOf(scope);
    const e = state.entries[key] ?? (before ? await seedEntry(state, scope, key, at.getTime(), before) : undefined);
    if (!e) return { count: 0, amount: 0 };
    if (scope.limit.period !== 'rolling') return { count: e.count, amount: e.amount };
    const total = { count: 0, amount: 0 };
    for (const [, count, amount] of rollingDays(e, today, scope.limit.days ?? 1)) {
      total.count += count;
      total.amount += amount;
    }
    return total;
  };
  const decision = await applyLimits({ limits, drafts, eventParticipantId, occurredAt: at, timeZone, usage });
  for (const draft of decision.kept) {
    for (const { scope } of limitsCovering(draft, { limits, eventParticipantId, occurredAt: at, timeZone })) {
      const key = keyOf(scope);
      const rolling = scope.limit.period === 'rolling';
      let e = state.entries[key];
      if (!e) {
        if (state.size >= MAX_LIMIT_ENTRIES) {
          state.truncated = true;
          continue;
        }
        e = state.entries[key] = { count: 0, amount: 0, until: null };
        state.size += 1;
      }
      if (rolling) {
        const days = rollingDays(e, today, scope.limit.days ?? 1);
        const last = days.at(-1);
        if (last && last[0] === today) {
          last[1] += 1;
          last[2] += draft.amountMinor;
        } else days.push([today, 1, draft.amountMinor]);
        e.until = (today + (scope.limit.days ?? 1)) * DAY;
      } else {
        e.count += 1;
        e.amount += draft.amountMinor;
        e.until = scope.range ? Date.parse(scope.range.to) : null;
      }
    }
  }
  return decision;
}

/** Drops the periods that ended before `nowMs` (the replay moves forward in time, so they count no more). */
export function pruneLimitUsage(state: LimitUsageState, nowMs: number): void {
  for (const [key, e] of Object.entries(state.entries)) {
    if (e.until !== null && e.until <= nowMs) {
      delete state.entries[key];
      state.size -= 1;
    }
  }
}
