// Rules used across API tests: a referral program as a rule author would write it.
export const referralRules = {
  rules: [
    {
      name: 'referrer-bonus',
      priority: 10,
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: 'purchase' },
          { fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: 50 },
          { fact: 'referrer', operator: 'notEqual', value: null },
        ],
      },
      event: { type: 'reward', params: { kind: 'cash', amount: 25, currency: 'USD', to: 'referrer', description: 'Referral bonus' } },
    },
    {
      name: 'welcome-credit',
      conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'signup' }] },
      event: { type: 'reward', params: { kind: 'credit', amount: 10, currency: 'USD', to: 'participant' } },
    },
    {
      name: 'thank-you',
      conditions: { any: [{ fact: 'event', path: '$.type', operator: 'in', value: ['purchase', 'signup'] }] },
      event: { type: 'email', params: { template: 'email-action', to: 'participant', data: { message: 'Thanks for joining us' } } },
    },
  ],
};
