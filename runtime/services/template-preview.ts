// Sample data for the template preview: every variable a default template
// uses, so an edited template shows what a participant would receive.
export function previewData(programName: string, key: string): Record<string, unknown> {
  return {
    program: { id: 'preview', name: programName },
    participant: { id: 'p_123', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
    reward: { kind: 'cash', kindLabel: 'cash', amount: 25, amountFormatted: '$25.00', currency: 'USD', description: 'Referral bonus', held: false, availableAt: '2026-01-31T00:00:00.000Z', availableOn: '2026-01-31' },
    data: { message: 'Thanks for spreading the word!' },
    event: { id: 'evt_1', type: 'purchase', data: {}, occurredAt: new Date(0).toISOString() },
    link: 'https://example.com/link?token=sample',
    expiresInHours: 24,
    expiresInMinutes: 60,
    expiresAt: '2026-01-02T00:00:00.000Z',
    year: 2026,
    totalFormatted: '$650.00',
    thresholdFormatted: '$1,999.99',
    reportableFromFormatted: '$2,000.00',
    reportableFromCents: 200000,
    totalCents: 65000,
    thresholdCents: 199999,
    pendingFormatted: '$50.00',
    pendingCount: 2,
    reminderNumber: 1,
    maxReminders: 3,
    template: key,
  };
}
