// A realistic 20-rule referral program for the HTTP benchmark: tiers by
// purchase amount, country lists, referrer bonuses, milestones by stats.
export function referralProgram(ruleCount = 20) {
  const rules = [];
  for (let i = 0; i < ruleCount; i++) {
    const tier = (i % 5) + 1;
    rules.push({
      name: `tier-${i}`,
      priority: (i % 3) + 1,
      conditions: {
        all: [
          { fact: 'event', path: '$.type', operator: 'equal', value: i % 2 === 0 ? 'purchase' : 'signup' },
          { fact: 'event', path: '$.data.amount', operator: 'greaterThanInclusive', value: tier * 40 },
          {
            any: [
              { fact: 'participant', path: '$.countryCode', operator: 'in', value: ['US', 'CA', 'GB', 'DE', 'FR'] },
              { fact: 'event', path: '$.data.tags', operator: 'contains', value: 'vip' },
            ],
          },
          { not: { fact: 'event', path: '$.data.coupon', operator: 'equal', value: `BLOCK${i}` } },
        ],
      },
      event:
        i % 4 === 0
          ? { type: 'email', params: { template: 'email-action', to: 'participant', data: { message: `tier ${tier}` } } }
          : { type: 'reward', params: { kind: i % 3 === 0 ? 'cash' : 'credit', amount: tier * 5, currency: 'USD', to: i % 2 === 0 ? 'referrer' : 'participant' } },
    });
  }
  return { rules };
}
