import type { Condition, Ruleset, TopCondition } from './schema.ts';
import { factKey } from './history-facts.ts';

export const FACT_NAMES = ['event', 'participant', 'referrer', 'stats', 'program', 'now'] as const;
export type FactName = (typeof FACT_NAMES)[number];

export type EventFact = { type: string; data: Record<string, unknown>; occurredAt: string };

export type ParticipantFact = {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  countryCode: string | null;
  referredBy: string | null;
  w9OnFile: boolean;
  payoutInfoComplete: boolean;
  emailVerified: boolean;
  /** Used the unsubscribe link of an email-action email: such emails are no longer sent to them. */
  unsubscribed: boolean;
  /** The referral checks (plugins/referral-checks/) that flagged this participant's referral, e.g. ["disposableEmail"]; [] for none. */
  referralFlags: string[];
  createdAt: string;
};

/** Known counters are listed for readers; rules may read any key, so the type stays open. */
export type StatsFact = {
  rewardCount?: number;
  /** Minor units (integer). */
  cashRewardsThisYear?: number;
  referralCount?: number;
  w9Required?: boolean;
  [key: string]: unknown;
};

export type ProgramFact = { id: string; name: string; settings: Readonly<Record<string, unknown>> };

export type Facts = {
  event: EventFact;
  participant: ParticipantFact;
  referrer: ParticipantFact | null;
  stats: StatsFact;
  program: ProgramFact;
  /** ISO 8601 timestamp. */
  now: string;
};

/** What evaluate() accepts: any subset, any value (a fact that a reached condition reads but is absent makes the run throw, as in the reference). */
export type FactValues = { readonly [K in FactName]?: unknown } & { readonly [historyKey: string]: unknown };

/**
 * Shape of each fact for path checks: 'any' accepts every path below it,
 * 'string' accepts `.length` or one `[index]`, 'scalar' accepts nothing more.
 */
export type FactShape = 'any' | 'string' | 'scalar' | { readonly [field: string]: FactShape };

const PARTICIPANT_SHAPE: FactShape = {
  id: 'string',
  email: 'string',
  firstName: 'string',
  lastName: 'string',
  locale: 'string',
  countryCode: 'string',
  referredBy: 'string',
  w9OnFile: 'scalar',
  payoutInfoComplete: 'scalar',
  emailVerified: 'scalar',
  unsubscribed: 'scalar',
  referralFlags: 'any',
  createdAt: 'string',
};

export const FACT_SHAPES: Readonly<Record<FactName, FactShape>> = {
  event: { type: 'string', data: 'any', occurredAt: 'string' },
  participant: PARTICIPANT_SHAPE,
  referrer: PARTICIPANT_SHAPE,
  stats: 'any',
  program: { id: 'string', name: 'string', settings: 'any' },
  now: 'string',
};

export function isFactName(name: unknown): name is FactName {
  return typeof name === 'string' && (FACT_NAMES as readonly string[]).includes(name);
}

/**
 * The facts a ruleset can read (conditions and fact-valued `value`s, through
 * references), so the caller loads only those; a history fact by its key
 * (its name and params, history-facts.ts).
 */
export function factsUsed(ruleset: Ruleset): Set<string> {
  const used = new Set<string>();
  const named = ruleset.conditions ?? {};
  const visited = new Set<string>();
  const walk = (node: Condition): void => {
    if ('all' in node) node.all.forEach(walk);
    else if ('any' in node) node.any.forEach(walk);
    else if ('not' in node) walk(node.not);
    else if ('condition' in node) {
      if (visited.has(node.condition) || !Object.hasOwn(named, node.condition)) return;
      visited.add(node.condition);
      walk(named[node.condition] as TopCondition);
    } else {
      used.add(factKey(node.fact, node.params));
      const value = node.value;
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'fact')) {
        used.add((value as { fact: FactName }).fact);
      }
    }
  };
  for (const rule of ruleset.rules) walk(rule.conditions);
  return used;
}
