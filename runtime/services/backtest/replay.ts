import type { ActionContext, ActionHandler, ProgramView, RewardDraft } from '../../../plugins/types.ts';
import { actionHandlers, type ActionType } from '../../../plugins/registry.ts';
import { evaluate, EvaluationError } from '../../../rules/evaluate.ts';
import { BudgetExceeded, EVALUATION_BUDGET } from '../../../rules/budget.ts';
import type { CompiledRuleset } from '../../../rules/compiled-types.ts';
import type { ReplayRow } from '../../store/backtest-queries.ts';
import type { Outcome, RewardLike } from './diff.ts';
import { simulateLimits, type BeforeWindow, type LimitUsageState } from './limit-simulation.ts';
import type { ReplayFacts } from './replay-facts.ts';

// One event through the candidate rules, the way the live path plans it
// (rules/evaluate, then each fired rule's action handler, then the program's
// limits, simulated), and what the live path answered then, both as Outcomes.
// Nothing is written: action plans are pure, limits are counted in memory.

/**
 * The work a chunk's evaluations may spend together, per event of the chunk
 * (rules/budget.ts units): twice what a heavy real program needs for an event
 * (about 50,000), so 200,000,000 for a chunk of 2,000, a few seconds of CPU at
 * worst. One event may still spend up to its own EVALUATION_BUDGET.
 */
export const CHUNK_UNITS_PER_EVENT = 100_000;

export type Meter = { remaining: number };

/** The chunk spent its evaluation budget: the job stops with a 422-like failure rather than run on. */
export class ChunkBudgetExceeded extends Error {}

export type ActualBody = { fired?: { rule: string; skipped?: string }[]; rewards?: { participantId: string; kind: string; currency: string; amountMinor: number; taxableValueMinor?: number | null; rule: string }[] };

/** What the event did, from its stored answer. */
export function actualOutcome(row: ReplayRow): Outcome & { stoppedBy: string[] } {
  const body = JSON.parse(row.response) as ActualBody;
  const fired = body.fired ?? [];
  const limited = fired.filter((f) => f.skipped?.startsWith('limit:')).map((f) => ({ rule: f.rule, limit: f.skipped!.slice('limit:'.length) }));
  return {
    fired: fired.map((f) => f.rule),
    rewards: (body.rewards ?? []).map((r) => ({ participantId: r.participantId, kind: r.kind, currency: r.currency, amountMinor: r.amountMinor, taxableMinor: r.taxableValueMinor ?? null, rule: r.rule })),
    limited,
    stoppedBy: limited.map((l) => l.limit),
  };
}

const rewardLike = (d: RewardDraft): RewardLike => ({ participantId: d.recipient.id, kind: d.kind, currency: d.currency, amountMinor: d.amountMinor, taxableMinor: d.taxableMinor ?? null, rule: d.ruleName });

/** The candidate's outcome; throws EvaluationError when the candidate cannot evaluate the event (the live path would answer 422). */
export async function candidateOutcome(
  compiled: CompiledRuleset,
  program: ProgramView,
  tenantId: string,
  row: ReplayRow,
  f: ReplayFacts,
  limits: LimitUsageState,
  meter: Meter,
  before?: BeforeWindow,
): Promise<Outcome> {
  const budget = Math.min(EVALUATION_BUDGET, meter.remaining);
  let fired;
  try {
    const result = evaluate(compiled, f.facts, { budget });
    meter.remaining -= result.spent;
    fired = result.fired;
  } catch (error) {
    if (error instanceof EvaluationError && error.cause instanceof BudgetExceeded && budget < EVALUATION_BUDGET) throw new ChunkBudgetExceeded();
    throw error;
  }
  const event = { id: row.id, type: row.type, data: (f.facts.event as { data: Record<string, unknown> }).data, occurredAt: row.occurred_at };
  const drafts: RewardDraft[] = [];
  for (const rule of fired) {
    const ctx: ActionContext = { tenantId, program, event, rule: { name: rule.name, priority: rule.priority }, participant: f.participant, referrer: f.referrer };
    const handler: ActionHandler = actionHandlers[rule.action.type as ActionType];
    drafts.push(...handler.plan(rule.action.params, ctx).rewards);
  }
  const decision = await simulateLimits(limits, program, f.participant.id, row.occurred_at, drafts, before);
  return { fired: fired.map((r) => r.name), rewards: decision.kept.map(rewardLike), limited: decision.skipped.map((s) => ({ rule: s.ruleName, limit: s.limit })) };
}
