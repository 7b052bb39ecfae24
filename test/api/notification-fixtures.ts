// Rules for the notification tests: each event type pays one fixed amount to
// the participant, so a test composes yearly totals from event types.

const cash = (name: string, amount: number, currency = 'USD') => ({
  name,
  conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: name }] },
  event: { type: 'reward', params: { kind: 'cash', amount, currency, to: 'participant', description: `Bonus ${name}` } },
});

export const notificationRules = {
  rules: [
    cash('cash-599', 599),
    cash('cash-599.01', 599.01),
    cash('cash-300', 300),
    cash('cash-299', 299),
    cash('cash-299.01', 299.01),
    cash('cash-0.01', 0.01),
    cash('cash-25', 25),
    cash('eur-550', 550, 'EUR'),
    {
      name: 'credit-700',
      conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'credit-700' }] },
      event: { type: 'reward', params: { kind: 'credit', amount: 700, currency: 'USD', to: 'participant' } },
    },
    {
      // A rule author sending the notice from the facts, with no reward involved.
      name: 'w9-from-stats',
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'login' },
          { fact: 'stats', path: '$.w9Required', operator: 'equal', value: true },
        ],
      },
      event: { type: 'email', params: { template: 'w9-notice', to: 'participant' } },
    },
    {
      name: 'verified-only',
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'visit' },
          { fact: 'participant', path: '$.emailVerified', operator: 'equal', value: true },
        ],
      },
      event: { type: 'reward', params: { kind: 'credit', amount: 5, currency: 'USD', to: 'participant' } },
    },
  ],
};
