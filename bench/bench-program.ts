// The events benchmark's program: exactly one rule fires for the benchmark's
// events (a credit to the buyer, which also queues the reward email), so the
// service writes the same three rows as the bare baseline; the other rules are
// evaluated in full and do not fire (their thresholds are out of reach).
export function oneRewardProgram(ruleCount: number) {
  const rules: unknown[] = [
    {
      name: 'purchase-credit',
      priority: 1,
      conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' }, { fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: 10 }] },
      event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD', to: 'participant' } },
    },
  ];
  for (let i = 1; i < ruleCount; i++) {
    rules.push({
      name: `tier-${i}`,
      priority: (i % 3) + 1,
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' },
          {
            any: [
              { fact: 'participant', path: '$.countryCode', operator: 'in', value: ['US', 'CA', 'GB', 'DE', 'FR'] },
              { fact: 'event', path: '$.data.tags', operator: 'contains', value: 'vip' },
            ],
          },
          { not: { fact: 'event', path: '$.data.coupon', operator: 'equal', value: `BLOCK${i}` } },
          { fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: 1_000_000 + i },
        ],
      },
      event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD', to: 'participant' } },
    });
  }
  return { rules };
}

// The events come from this many participants (the first is `p`), as a
// program's traffic does. The service locks a cash or taxable reward's
// recipient while it decides the hold and the yearly cash total, so such
// events of one participant take turns; the credit above takes no lock.
// BENCH_PARTICIPANTS=1 sends every event for one participant.
export const BENCH_PARTICIPANTS = Math.max(1, Number(process.env.BENCH_PARTICIPANTS ?? 100));
export const benchParticipantId = (n: number) => (n % BENCH_PARTICIPANTS === 0 ? 'p' : `p${n % BENCH_PARTICIPANTS}`);

export const benchEvent = (id: string, n = 0) => ({ id, type: 'purchase', participantId: benchParticipantId(n), data: { amount: 50 + (id.length % 200), tags: ['x'] } });
