import type { ProgramSettings } from '../../../plugins/types.ts';
import { cashInUsd } from '../../../plugins/rewards/cash-ledger.ts';
import { thresholdFor } from '../../../plugins/rewards/tax-thresholds.ts';
import type { EventDiff, RewardLike } from './diff.ts';
import { emptyLimitUsage, type LimitUsageState } from './limit-simulation.ts';

// A backtest's running totals (stored after every chunk, so every part is
// bounded) and the report made of them. Pure: the job supplies the W-9
// totals it read when it finishes.

export const SAMPLE_SIZE = 20;
export const LIST_SIZE = 100;
/** Distinct participants counted exactly up to this many; past it the count is a lower bound. */
export const MAX_TRACKED_PARTICIPANTS = 10_000;
/** (participant, tax year) pairs whose cash changes, tracked for W-9 crossings. */
export const MAX_W9_PAIRS = 5_000;
const MAX_RULES = 500;
const MAX_MONEY_ROWS = 200;

export type SampleEntry = {
  eventId: string;
  type: string;
  participantId: string;
  occurredAt: string;
  exact: boolean;
  before: { version: number | null; fired: string[]; rules: unknown[] | null; note?: string };
  after: { fired: string[]; rules: unknown[] | null; note?: string };
  added: RewardLike[];
  removed: RewardLike[];
};

export type MoneyRow = { kind: string; currency: string; addedCount: number; addedMinor: number; removedCount: number; removedMinor: number };

export type BacktestState = {
  events: { replayed: number; exact: number; approximate: number; skipped: number; failed: number };
  changedEvents: number;
  rules: Record<string, { firedBefore: number; firedAfter: number }>;
  money: Record<string, MoneyRow>;
  participants: { ids: string[]; overflow: boolean };
  /** "participant\u0000year" → USD cents the candidate adds (negative: removes). */
  w9: Record<string, number>;
  w9Overflow: boolean;
  limits: { usage: LimitUsageState; wouldStop: Record<string, number>; stoppedActually: Record<string, number> };
  sample: SampleEntry[];
  failures: { eventId: string; pointer: string; message: string }[];
};

export function emptyState(): BacktestState {
  return {
    events: { replayed: 0, exact: 0, approximate: 0, skipped: 0, failed: 0 },
    changedEvents: 0,
    rules: {},
    money: {},
    participants: { ids: [], overflow: false },
    w9: {},
    w9Overflow: false,
    limits: { usage: emptyLimitUsage(), wouldStop: {}, stoppedActually: {} },
    sample: [],
    failures: [],
  };
}

/** The in-memory form while a chunk runs: the participant list as a set. */
export type Working = { state: BacktestState; participants: Set<string> };

export function working(state: BacktestState): Working {
  return { state, participants: new Set(state.participants.ids) };
}

export function settle(w: Working): BacktestState {
  w.state.participants.ids = [...w.participants];
  return w.state;
}

function countRule(state: BacktestState, rule: string, field: 'firedBefore' | 'firedAfter'): void {
  let r = state.rules[rule];
  if (!r) {
    if (Object.keys(state.rules).length >= MAX_RULES) return;
    r = state.rules[rule] = { firedBefore: 0, firedAfter: 0 };
  }
  r[field] += 1;
}

function touch(w: Working, participantId: string): void {
  if (w.participants.has(participantId)) return;
  if (w.participants.size >= MAX_TRACKED_PARTICIPANTS) w.state.participants.overflow = true;
  else w.participants.add(participantId);
}

function moneyRow(state: BacktestState, r: RewardLike): MoneyRow | null {
  const key = `${r.kind} ${r.currency}`;
  let row = state.money[key];
  if (!row) {
    if (Object.keys(state.money).length >= MAX_MONEY_ROWS) return null;
    row = state.money[key] = { kind: r.kind, currency: r.currency, addedCount: 0, addedMinor: 0, removedCount: 0, removedMinor: 0 };
  }
  return row;
}

function w9Delta(state: BacktestState, r: RewardLike, year: number, sign: 1 | -1, settings: ProgramSettings): void {
  const cents = cashInUsd([{ kind: r.kind, amount_minor: r.amountMinor, currency: r.currency, taxable_minor: r.taxableMinor }], settings).cents;
  if (cents === 0) return;
  const key = `${r.participantId}\u0000${year}`;
  if (state.w9[key] === undefined && Object.keys(state.w9).length >= MAX_W9_PAIRS) {
    state.w9Overflow = true;
    return;
  }
  state.w9[key] = (state.w9[key] ?? 0) + sign * cents;
}

export type Replayed = {
  participantId: string;
  exact: boolean;
  taxYear: number;
  beforeFired: string[];
  afterFired: string[];
  stoppedActually: string[];
  wouldStop: string[];
  diff: EventDiff;
};

/** Adds one replayed event to the totals. */
export function record(w: Working, e: Replayed, settings: ProgramSettings): void {
  const s = w.state;
  s.events.replayed += 1;
  if (e.exact) s.events.exact += 1;
  else s.events.approximate += 1;
  for (const rule of e.beforeFired) countRule(s, rule, 'firedBefore');
  for (const rule of e.afterFired) countRule(s, rule, 'firedAfter');
  for (const l of e.stoppedActually) s.limits.stoppedActually[l] = (s.limits.stoppedActually[l] ?? 0) + 1;
  for (const l of e.wouldStop) s.limits.wouldStop[l] = (s.limits.wouldStop[l] ?? 0) + 1;
  if (!e.diff.changed) return;
  s.changedEvents += 1;
  touch(w, e.participantId);
  for (const r of e.diff.added) {
    touch(w, r.participantId);
    const row = moneyRow(s, r);
    if (row) {
      row.addedCount += 1;
      row.addedMinor += r.amountMinor;
    }
    w9Delta(s, r, e.taxYear, 1, settings);
  }
  for (const r of e.diff.removed) {
    touch(w, r.participantId);
    const row = moneyRow(s, r);
    if (row) {
      row.removedCount += 1;
      row.removedMinor += r.amountMinor;
    }
    w9Delta(s, r, e.taxYear, -1, settings);
  }
}

export type W9Pair = { participantId: string; year: number; deltaCents: number };

export function w9Pairs(state: BacktestState): W9Pair[] {
  return Object.entries(state.w9)
    .filter(([, delta]) => delta !== 0)
    .map(([key, deltaCents]) => {
      const [participantId, year] = key.split('\u0000');
      return { participantId, year: Number(year), deltaCents };
    });
}

export type W9Crossing = { participantId: string; year: number; actualCents: number; candidateCents: number; reportableFromCents: number };

/** Whose yearly cash would cross the W-9 threshold with the candidate and did not (or the reverse), given their actual totals. */
export function w9Crossings(pairs: W9Pair[], actual: Map<string, number>, settings: ProgramSettings) {
  const wouldCross: W9Crossing[] = [];
  const wouldNoLongerCross: W9Crossing[] = [];
  for (const p of pairs) {
    const actualCents = actual.get(`${p.participantId}\u0000${p.year}`);
    if (actualCents === undefined) continue;
    const candidateCents = Math.max(0, actualCents + p.deltaCents);
    const reportableFromCents = thresholdFor(p.year, settings).reportableFromCents;
    const was = actualCents >= reportableFromCents;
    const is = candidateCents >= reportableFromCents;
    const entry = { participantId: p.participantId, year: p.year, actualCents, candidateCents, reportableFromCents };
    if (is && !was) wouldCross.push(entry);
    else if (was && !is) wouldNoLongerCross.push(entry);
  }
  return { wouldCross, wouldNoLongerCross };
}

export type BacktestReport = ReturnType<typeof buildReport>;

export function buildReport(state: BacktestState, w9: ReturnType<typeof w9Crossings> & { checked: number; truncated: boolean }, settings: ProgramSettings) {
  const money = Object.values(state.money).sort((a, b) => (a.kind + a.currency).localeCompare(b.kind + b.currency));
  const byCurrency = new Map<string, { currency: string; addedMinor: number; removedMinor: number; netMinor: number }>();
  for (const m of money) {
    const t = byCurrency.get(m.currency) ?? { currency: m.currency, addedMinor: 0, removedMinor: 0, netMinor: 0 };
    t.addedMinor += m.addedMinor;
    t.removedMinor += m.removedMinor;
    t.netMinor = t.addedMinor - t.removedMinor;
    byCurrency.set(m.currency, t);
  }
  const ids = [...state.participants.ids].sort();
  return {
    events: { ...state.events, changed: state.changedEvents },
    rules: Object.entries(state.rules)
      .map(([rule, r]) => ({ rule, firedBefore: r.firedBefore, firedAfter: r.firedAfter }))
      .sort((a, b) => a.rule.localeCompare(b.rule)),
    rewards: {
      byKind: money.map((m) => ({ ...m, netMinor: m.addedMinor - m.removedMinor })),
      totals: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    },
    participants: { count: ids.length, countIsLowerBound: state.participants.overflow, list: ids.slice(0, LIST_SIZE), listTruncated: ids.length > LIST_SIZE },
    w9: {
      wouldCross: w9.wouldCross.slice(0, LIST_SIZE),
      wouldCrossCount: w9.wouldCross.length,
      wouldNoLongerCross: w9.wouldNoLongerCross.slice(0, LIST_SIZE),
      wouldNoLongerCrossCount: w9.wouldNoLongerCross.length,
      participantsChecked: w9.checked,
      truncated: w9.truncated || state.w9Overflow,
    },
    limits: settings.limits.map((l) => ({ name: l.name, wouldStop: state.limits.wouldStop[l.name] ?? 0, stoppedActually: state.limits.stoppedActually[l.name] ?? 0 })),
    limitsSimulationTruncated: state.limits.usage.truncated,
    sample: state.sample,
    failures: state.failures,
  };
}
