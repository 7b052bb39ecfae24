// Which emails carry a one-click unsubscribe (RFC 8058): the ones a rule
// author sends with the email action, the marketing-like kind. Rewards, W-9,
// payout and account emails are transactional: they go to unsubscribed
// participants too, and carry no unsubscribe link.

export const UNSUBSCRIBABLE_TYPES: ReadonlySet<string> = new Set(['email-action']);

export function isUnsubscribable(type: string): boolean {
  return UNSUBSCRIBABLE_TYPES.has(type);
}
