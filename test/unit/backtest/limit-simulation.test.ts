import { describe, expect, it } from 'vitest';
import { emptyLimitUsage, pruneLimitUsage, simulateLimits } from '../../../runtime/services/backtest/limit-simulation.ts';
import { normalizeSettings } from '../../../runtime/services/program-settings.ts';
import type { ParticipantView, ProgramView, RewardDraft } from '../../../plugins/types.ts';

const alice = { id: 'alice' } as ParticipantView;
const draft = (amountMinor = 500): RewardDraft => ({ ruleName: 'r', recipient: alice, kind: 'cash', amountMinor, currency: 'USD', description: null });
const programWith = (limit: Record<string, unknown>): ProgramView => ({ id: 'p', name: 'P', settings: normalizeSettings({ limits: [{ name: 'cap', scope: 'participant', ...limit }] }) });

describe('limits simulated over a replay', () => {
  it('counts a calendar period and starts the next one afresh', async () => {
    const state = emptyLimitUsage();
    const program = programWith({ measure: 'count', period: 'day', max: 2 });
    const kept = async (at: string) => (await simulateLimits(state, program, 'alice', at, [draft()])).kept.length;
    expect([await kept('2026-06-01T01:00:00Z'), await kept('2026-06-01T02:00:00Z'), await kept('2026-06-01T03:00:00Z')]).toEqual([1, 1, 0]);
    pruneLimitUsage(state, Date.parse('2026-06-02T00:00:00Z'));
    expect(state.size).toBe(0);
    expect(await kept('2026-06-02T01:00:00Z')).toBe(1);
  });

  it('counts a rolling period by day, and amounts in minor units', async () => {
    const state = emptyLimitUsage();
    const program = programWith({ measure: 'amount', currency: 'USD', period: 'rolling', days: 2, max: 1000 });
    const kept = async (at: string) => (await simulateLimits(state, program, 'alice', at, [draft(600)])).kept.length;
    expect(await kept('2026-06-01T12:00:00Z')).toBe(1);
    // The next day is still inside two days: 600 + 600 > 1000.
    expect(await kept('2026-06-02T12:00:00Z')).toBe(0);
    // Two days on, the first day has left the window.
    expect(await kept('2026-06-03T12:00:00Z')).toBe(1);
  });
});
