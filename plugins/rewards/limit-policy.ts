import type { RewardDraft, RewardLimit } from '../types.ts';
import { periodRange, type PeriodRange } from './limit-period.ts';

// Which of an event's reward drafts the program's limits let through. Pure:
// the caller supplies what already counts (from the store, under its locks);
// drafts earlier in the same event count toward the later ones.

export type LimitScope = {
  limit: RewardLimit;
  /** The recipient whose rewards count; absent for the whole program. */
  participantId?: string;
  referralsOnly: boolean;
  range: PeriodRange;
};

export type LimitUsage = { count: number; amount: number };

export type LimitDecision = { kept: RewardDraft[]; skipped: { ruleName: string; limit: string }[] };

export type LimitInput = {
  limits: readonly RewardLimit[];
  drafts: RewardDraft[];
  /** The event's participant: a reward to anyone else is a referrer's. */
  eventParticipantId: string;
  occurredAt: Date;
  timeZone: string;
  usage: (scope: LimitScope) => Promise<LimitUsage>;
};

function scopeOf(limit: RewardLimit, draft: RewardDraft, input: Omit<LimitInput, 'usage' | 'drafts' | 'limits'>): LimitScope | null {
  if (limit.kind !== undefined && draft.kind !== limit.kind) return null;
  if (limit.measure === 'amount' && draft.currency !== limit.currency) return null;
  const range = periodRange(limit.period, input.occurredAt, input.timeZone, limit.days);
  if (limit.scope === 'program') return { limit, referralsOnly: false, range };
  if (limit.scope === 'referrer' && draft.recipient.id === input.eventParticipantId) return null;
  return { limit, participantId: draft.recipient.id, referralsOnly: limit.scope === 'referrer', range };
}

export async function applyLimits(input: LimitInput): Promise<LimitDecision> {
  const kept: RewardDraft[] = [];
  const skipped: LimitDecision['skipped'] = [];
  // One lookup per (limit, recipient): the drafts of one event share it.
  const used = new Map<string, LimitUsage>();
  for (const draft of input.drafts) {
    const hits: LimitUsage[] = [];
    let blockedBy: string | null = null;
    for (const limit of input.limits) {
      const scope = scopeOf(limit, draft, input);
      if (!scope) continue;
      const key = `${limit.name}\u0000${scope.participantId ?? ''}`;
      let usage = used.get(key);
      if (!usage) used.set(key, (usage = { ...(await input.usage(scope)) }));
      const value = limit.measure === 'count' ? 1 : draft.amountMinor;
      const current = limit.measure === 'count' ? usage.count : usage.amount;
      if (current + value > limit.max) {
        blockedBy = limit.name;
        break;
      }
      hits.push(usage);
    }
    if (blockedBy !== null) {
      skipped.push({ ruleName: draft.ruleName, limit: blockedBy });
      continue;
    }
    for (const usage of hits) {
      usage.count += 1;
      usage.amount += draft.amountMinor;
    }
    kept.push(draft);
  }
  return { kept, skipped };
}

/** The limits that cover a draft, each with what the draft adds to it. */
export function limitsCovering(draft: RewardDraft, input: Omit<LimitInput, 'usage' | 'drafts'>): { scope: LimitScope; value: number }[] {
  const out: { scope: LimitScope; value: number }[] = [];
  for (const limit of input.limits) {
    const scope = scopeOf(limit, draft, input);
    if (scope) out.push({ scope, value: limit.measure === 'count' ? 1 : draft.amountMinor });
  }
  return out;
}
