// Rules for the reward lifecycle tests: one rule per event type.

const when = (type: string) => ({ all: [{ fact: 'event', path: '$.type', operator: 'equal', value: type }] });
const cash = (name: string, amount: number, extra: Record<string, unknown> = {}) => ({
  name,
  conditions: when(name),
  event: { type: 'reward', params: { kind: 'cash', amount, currency: 'USD', to: 'participant', ...extra } },
});

export const lifecycleRules = {
  rules: [
    // A purchase pays $25, held 30 days (the refund window), then usable for 60.
    cash('purchase', 25, { holdDays: 30, expiresInDays: 60, description: 'Thanks for your purchase' }),
    {
      name: 'instant-credit',
      conditions: when('instant-credit'),
      event: { type: 'reward', params: { kind: 'credit', amount: 10, currency: 'USD', to: 'participant', expiresInDays: 10 } },
    },
    cash('cash-25', 25),
    cash('cash-1999.99', 1999.99),
    cash('cash-599.01', 599.01),
    cash('cash-0.01', 0.01),
    {
      // A $50 gift card whose rule declares it taxable at its face value.
      name: 'gift-card-50',
      conditions: when('gift-card-50'),
      event: { type: 'reward', params: { kind: 'gift_card', amount: 50, currency: 'USD', to: 'participant', taxableValue: 50 } },
    },
    {
      name: 'refund',
      conditions: when('refund'),
      event: { type: 'cancel-rewards', params: { eventIdPath: '$.purchaseEventId', reason: 'refund' } },
    },
  ],
};
