import type { Db, DialectName } from '../store/store.ts';
import type { EmailTable, RewardTable } from '../store/database.ts';
import { lockParticipant } from '../store/participant-queries.ts';
import { pendingPayoutRewards, rewardOfEventExists, rewardTotalsBetween } from '../store/reward-queries.ts';
import { insertEmailOnce } from '../store/email-queries.ts';
import { openPayoutCycle } from '../store/payout-queries.ts';
import type { EmailDraft, ParticipantView, ProgramView, RewardDraft } from '../../plugins/types.ts';
import { planRewardFollowUps } from '../../plugins/rewards/reward-follow-ups.ts';
import { cashInUsd } from '../../plugins/rewards/cash-ledger.ts';
import { taxYear } from '../../plugins/rewards/tax-year.ts';
import { composeEmail, composeEmails, type ComposeEnv } from '../../plugins/mail/compose.ts';
import { payoutReminderDraft } from '../../plugins/notifications/payout-reminder.ts';
import { participantView } from './views.ts';
import { insertCreatedReward, insertCreatedRewardWithEmails, recordTransition } from './reward-transitions.ts';
import { checkLimits, limitGuards, type LimitsInput } from './reward-limits.ts';
import { insertRewardWithinLimits, lockProgram } from '../store/reward-limit-queries.ts';
import type { PlannedReward } from '../../plugins/rewards/reward-follow-ups.ts';
import { formatFlags } from '../../plugins/referral-checks/flags.ts';

export type RewardEffectsInput = {
  dialect: DialectName;
  tenantId: string;
  program: ProgramView;
  event: { id: string; occurredAt: string };
  rewards: RewardDraft[];
  /** Emails rules asked for with the `w9-notice` template. */
  noticeRequests: EmailDraft[];
  composeEnv: ComposeEnv;
  now: Date;
  /** The rule version that fired, for each reward's receipt. */
  ruleVersion?: { version: number; hash: string } | null;
  /** Per rule name, the conditions that passed (JSON), for each reward's receipt. */
  traces?: ReadonlyMap<string, string>;
  /** The event's participant: the program's limits tell its rewards from its referrer's. */
  eventParticipantId: string;
  /** Each email row as it is to be inserted: claimed by the local dispatcher where it has room (plugins/mail/preclaim.ts). */
  claimed?: (row: EmailTable) => EmailTable;
};

/** The most emails that ride in a reward's statement (PostgreSQL); more are inserted one by one. */
const MAX_RIDING = 4;

export type RewardEffects = { rewards: RewardTable[]; emails: EmailTable[]; limited: { ruleName: string; limit: string }[] };

/**
 * Writes an event's rewards and what they set in motion (reward emails, the
 * W-9 notice, holds with their first payout reminder) inside the event's
 * transaction. The recipients are re-read under a row lock first: whether a
 * reward is held, and the year's cash total, are decided from the state at
 * commit, not from the snapshot the rules saw, so two concurrent events cannot
 * both miss the threshold and a reward cannot be held after the details
 * were completed.
 */
export async function writeRewardEffects(db: Db, input: RewardEffectsInput): Promise<RewardEffects> {
  const { tenantId, program, event, now } = input;
  if (input.rewards.length === 0 && input.noticeRequests.length === 0) return { rewards: [], emails: [], limited: [] };
  const limits = program.settings.limits;
  // Before any participant lock, as every writer that takes it does: a
  // program-wide limit counts rewards other recipients' events add.
  if (input.rewards.length > 0 && limits.some((l) => l.scope === 'program')) await lockProgram(db, input.dialect, tenantId, program.id);

  // The lock is for what is decided from a recipient's state at commit: a
  // cash or taxable reward (its hold, the year's W-9 total), a W-9 notice, a
  // limit's count. Rewards that decide none of it (credit, points) are written
  // without it, a round trip less on PostgreSQL, from the state the rules saw:
  // nothing another writer changes under the lock alters them.
  const decided = limits.length > 0 || input.noticeRequests.length > 0 || input.rewards.some((d) => d.kind === 'cash' || d.taxableMinor);
  // Sorted, so two transactions lock the same participants in the same order.
  const ids = decided ? [...new Set([...input.rewards, ...input.noticeRequests].map((d) => d.recipient.id))].sort() : [];
  const fresh = new Map<string, ParticipantView>();
  for (const id of ids) {
    const row = await lockParticipant(db, input.dialect, tenantId, id);
    if (row) fresh.set(id, participantView(row));
  }
  const current = <T extends { recipient: ParticipantView }>(d: T): T => ({ ...d, recipient: fresh.get(d.recipient.id) ?? d.recipient });
  // Limits are decided under the locks, before the W-9 total: a reward a limit stops counts nowhere.
  const limitsInput: LimitsInput = { tenantId, program, eventParticipantId: input.eventParticipantId, occurredAt: event.occurredAt };
  const limited = await checkLimits(db, { ...limitsInput, drafts: input.rewards.map(current) });
  let rewardDrafts = limited.kept;
  const noticeRequests = input.noticeRequests.map(current);

  const year = taxYear(new Date(event.occurredAt), program.settings.timeZone);
  const counted = new Set([...rewardDrafts.filter((d) => d.kind === 'cash' || d.taxableMinor), ...noticeRequests].map((d) => d.recipient.id));
  const cashBefore = new Map<string, number>();
  for (const id of counted) cashBefore.set(id, cashInUsd(await rewardTotalsBetween(db, tenantId, id, year.from, year.to), program.settings).cents);
  const planFor = (drafts: RewardDraft[]) => planRewardFollowUps({ eventId: event.id, program, rewards: drafts, cashBefore, taxYear: year.year, noticeRequests, now });
  let plan = planFor(rewardDrafts);

  const nowIso = now.toISOString();
  const rewards: RewardTable[] = [];
  const rowOf = (r: PlannedReward): RewardTable => ({
    id: crypto.randomUUID(),
    tenant_id: tenantId,
    program_id: program.id,
    event_id: event.id,
    rule_name: r.ruleName,
    participant_id: r.recipient.id,
    kind: r.kind,
    amount_minor: r.amountMinor,
    currency: r.currency,
    description: r.description,
    status: r.status,
    pending_reasons: r.pendingReasons,
    remaining_minor: r.amountMinor,
    hold_until: r.holdUntil,
    expires_at: r.expiresAt,
    rule_version: input.ruleVersion?.version ?? null,
    rule_hash: input.ruleVersion?.hash ?? null,
    taxable_minor: r.taxableMinor ?? null,
    trace: input.traces?.get(r.ruleName) ?? null,
    review_flags: formatFlags(r.reviewFlags ?? []),
    occurred_at: event.occurredAt,
    created_at: nowIso,
    updated_at: nowIso,
  });
  const created = async (row: RewardTable) => {
    rewards.push(row);
    await recordTransition(db, tenantId, row.id, null, row.status, row.pending_reasons, { reason: 'created', actor: 'rule' }, nowIso);
  };
  // D1 has no transaction to hold a lock between the count above and the
  // insert: each covered reward's insert re-checks its limits in the same
  // statement. One refused means the follow-ups are planned again without it.
  const written = new Set<PlannedReward>();
  if (input.dialect === 'd1' && limits.length > 0) {
    const refused = new Set<string>();
    for (const r of plan.rewards) {
      const guards = limitGuards(limitsInput, r);
      if (guards.length === 0) continue;
      written.add(r);
      const row = rowOf(r);
      if (await insertRewardWithinLimits(db, row, guards)) await created(row);
      else if (!(await rewardOfEventExists(db, tenantId, event.id, r.ruleName, r.recipient.id))) {
        refused.add(`${r.ruleName}\u0000${r.recipient.id}`);
        const why = await checkLimits(db, { ...limitsInput, drafts: [r] });
        limited.skipped.push({ ruleName: r.ruleName, limit: why.skipped[0]?.limit ?? guards[0].limit });
      }
    }
    if (refused.size > 0) {
      rewardDrafts = rewardDrafts.filter((d) => !refused.has(`${d.ruleName}\u0000${d.recipient.id}`));
      const kept = new Set([...written].map((r) => `${r.ruleName}\u0000${r.recipient.id}`));
      plan = planFor(rewardDrafts);
      for (const r of plan.rewards) if (kept.has(`${r.ruleName}\u0000${r.recipient.id}`)) written.add(r);
    }
  }
  const emails: EmailTable[] = [];
  const toWrite = plan.rewards.filter((r) => !written.has(r));
  // On PostgreSQL the planned emails ride in the last reward's statement: one
  // round trip less per rewarded event. Elsewhere each is its own insert. Only
  // a few: each count is a statement shape of its own (compiled-shapes.ts keeps
  // a bounded number), and a program of hundreds of rules need not make one.
  const riding = input.dialect === 'postgres' && toWrite.length > 0 && plan.emails.length <= MAX_RIDING ? await composeEmails(plan.emails, input.composeEnv) : null;
  for (const [i, r] of toWrite.entries()) {
    const row = rowOf(r);
    if (riding && i === toWrite.length - 1) {
      const { created, queued } = await insertCreatedRewardWithEmails(db, row, nowIso, input.claimed ? riding.map(input.claimed) : riding);
      if (created) rewards.push(row);
      emails.push(...riding.filter((_, j) => queued[j]));
    } else if (await insertCreatedReward(db, input.dialect, row, nowIso)) rewards.push(row);
  }

  const queue = async (draft: EmailDraft) => {
    const row = await composeEmail(draft, input.composeEnv);
    if (row && (await insertEmailOnce(db, input.claimed ? input.claimed(row) : row))) emails.push(row);
  };
  if (!riding) for (const draft of plan.emails) await queue(draft);
  for (const holder of plan.payoutHolds) {
    // Several held rewards share one cycle: only the event that opens it sends the first reminder.
    const ticket = await openPayoutCycle(db, { tenantId, program, participant: holder, cycle: event.id, now });
    if (ticket) await queue(payoutReminderDraft(holder, program, ticket, await pendingPayoutRewards(db, tenantId, holder.id, program.id)));
  }
  return { rewards, emails, limited: limited.skipped };
}
