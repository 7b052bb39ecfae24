import type { CheckName, CheckOutcome, ReferralFlag } from './types.ts';

export type ReferralDecision = {
  /** Every flag the checks raised, whatever their outcome. */
  flags: ReferralFlag[];
  /** The strictest outcome among the flagged checks: deny over review over allow. */
  outcome: CheckOutcome;
  /** With `deny`: the first denying check. */
  deniedBy?: CheckName;
  /** The flags whose outcome is `review` (what a reviewer is shown). */
  review: ReferralFlag[];
};

const RANK: Record<CheckOutcome, number> = { allow: 0, review: 1, deny: 2 };

/** Pure: the outcome of a set of flags under a program's outcomes per check. */
export function decide(flags: ReferralFlag[], outcomeOf: (check: CheckName) => CheckOutcome): ReferralDecision {
  let outcome: CheckOutcome = 'allow';
  let deniedBy: CheckName | undefined;
  for (const f of flags) {
    const o = outcomeOf(f.check);
    if (o === 'deny' && deniedBy === undefined) deniedBy = f.check;
    if (RANK[o] > RANK[outcome]) outcome = o;
  }
  return { flags, outcome, ...(deniedBy ? { deniedBy } : {}), review: flags.filter((f) => outcomeOf(f.check) === 'review') };
}
