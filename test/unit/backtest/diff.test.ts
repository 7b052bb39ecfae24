import { describe, expect, it } from 'vitest';
import { diffOutcomes, type RewardLike } from '../../../runtime/services/backtest/diff.ts';
import { emptyState, record, settle, w9Crossings, w9Pairs, working } from '../../../runtime/services/backtest/report.ts';
import { normalizeSettings } from '../../../runtime/services/program-settings.ts';

const cash = (participantId: string, amountMinor: number, rule = 'bonus'): RewardLike => ({ participantId, kind: 'cash', currency: 'USD', amountMinor, taxableMinor: null, rule });

describe('diffOutcomes', () => {
  it('matches rewards by recipient, kind, currency and amount, not by rule', () => {
    const d = diffOutcomes({ fired: ['old-name'], rewards: [cash('a', 500, 'old-name')], limited: [] }, { fired: ['new-name'], rewards: [cash('a', 500, 'new-name')], limited: [] });
    expect(d).toMatchObject({ changed: true, gained: ['new-name'], lost: ['old-name'], added: [], removed: [] });
  });

  it('counts each of two equal rewards once', () => {
    const d = diffOutcomes({ fired: ['x'], rewards: [cash('a', 500), cash('a', 500)], limited: [] }, { fired: ['x'], rewards: [cash('a', 500)], limited: [] });
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([cash('a', 500)]);
  });

  it('sees no change when nothing differs', () => {
    expect(diffOutcomes({ fired: ['x'], rewards: [cash('a', 1)], limited: [] }, { fired: ['x'], rewards: [cash('a', 1)], limited: [] }).changed).toBe(false);
  });
});

describe('the report totals', () => {
  const settings = normalizeSettings({ w9ThresholdCents: 59_900 });

  it('sums added and removed cash per participant and tax year for W-9 crossings, both ways', () => {
    const w = working(emptyState());
    const event = (added: RewardLike[], removed: RewardLike[]) => ({ participantId: 'p', exact: true, taxYear: 2026, beforeFired: [], afterFired: [], stoppedActually: [], wouldStop: [], diff: { changed: true, gained: [], lost: [], added, removed } });
    record(w, event([cash('up', 30_000)], [cash('down', 20_000)]), settings);
    record(w, event([cash('up', 20_000)], []), settings);
    const state = settle(w);
    expect(state.participants.ids.sort()).toEqual(['down', 'p', 'up']);
    const pairs = w9Pairs(state);
    // up: $550 actual + $500 = $1,050 crosses $599.01; down: $700 - $200 = $500 no longer does.
    const crossings = w9Crossings(pairs, new Map([['up\u00002026', 55_000], ['down\u00002026', 70_000]]), settings);
    expect(crossings.wouldCross).toEqual([{ participantId: 'up', year: 2026, actualCents: 55_000, candidateCents: 105_000, reportableFromCents: 59_901 }]);
    expect(crossings.wouldNoLongerCross).toEqual([{ participantId: 'down', year: 2026, actualCents: 70_000, candidateCents: 50_000, reportableFromCents: 59_901 }]);
  });
});
