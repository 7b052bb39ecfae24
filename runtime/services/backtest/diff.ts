// What changed for one event: pure. A reward is matched by who gets it and
// what (recipient, kind, currency, amount), not by the rule that pays it, so
// renaming a rule that pays the same is no change.

export type RewardLike = { participantId: string; kind: string; currency: string; amountMinor: number; taxableMinor: number | null; rule: string };

export type Outcome = {
  /** Rules that fired (limit-skipped ones included: they fired). */
  fired: string[];
  rewards: RewardLike[];
  /** Per fired rule stopped by a limit: the limit's name. */
  limited: { rule: string; limit: string }[];
};

export type EventDiff = { changed: boolean; gained: string[]; lost: string[]; added: RewardLike[]; removed: RewardLike[] };

const keyOf = (r: RewardLike) => `${r.participantId}\u0000${r.kind}\u0000${r.currency}\u0000${r.amountMinor}`;

export function diffOutcomes(before: Outcome, after: Outcome): EventDiff {
  const was = new Set(before.fired);
  const is = new Set(after.fired);
  const gained = after.fired.filter((r) => !was.has(r));
  const lost = before.fired.filter((r) => !is.has(r));
  const unmatched = new Map<string, RewardLike[]>();
  for (const r of before.rewards) {
    const k = keyOf(r);
    const list = unmatched.get(k);
    if (list) list.push(r);
    else unmatched.set(k, [r]);
  }
  const added: RewardLike[] = [];
  for (const r of after.rewards) {
    const list = unmatched.get(keyOf(r));
    if (list && list.length > 0) list.pop();
    else added.push(r);
  }
  const removed = [...unmatched.values()].flat();
  return { changed: gained.length > 0 || lost.length > 0 || added.length > 0 || removed.length > 0, gained, lost, added, removed };
}
