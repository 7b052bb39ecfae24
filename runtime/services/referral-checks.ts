import type { Db } from '../store/store.ts';
import { blockedAmong, referralsBetween, referrerChain } from '../store/referral-check-queries.ts';
import { findParticipant } from '../store/participant-queries.ts';
import { normalizeSettings } from './program-settings.ts';
import type { ParticipantView, ProgramView, ReferralCheckSettings, RewardDraft } from '../../plugins/types.ts';
import { referralChecks } from '../../plugins/referral-checks/registry.ts';
import { CHECK_NAMES, type CheckLookups, type CheckName, type CheckSubject, type ReferralFlag } from '../../plugins/referral-checks/types.ts';
import { decide, type ReferralDecision } from '../../plugins/referral-checks/decide.ts';

/** Outcomes when no program is named (a participant written without `programId`): the defaults, where every check records and none decides. */
export const RECORD_ONLY: ReferralCheckSettings = normalizeSettings({}).referralChecks;

export type ReferralCheckInput = {
  tenantId: string;
  settings: ReferralCheckSettings;
  participant: { id: string; email: string; createdAt: string };
  referredBy: string;
  /** The referrer when the caller has it already (a reward's planning: the draft's recipient), saving its read. */
  referrer?: { id: string; email: string };
  /** Only these checks run (a reward's planning skips those that would change nothing); all when absent. */
  only?: readonly CheckName[];
};

/**
 * Runs the referral checks on one referral and decides under the program's
 * outcomes. At most one read for the referrer and one per check (the
 * chain walk is one bounded recursive statement), whatever the data.
 */
export async function runReferralChecks(db: Db, input: ReferralCheckInput): Promise<ReferralDecision> {
  const { tenantId, referredBy } = input;
  const referrerRow = input.referrer ?? (referredBy === input.participant.id ? undefined : await findParticipant(db, tenantId, referredBy));
  const subject: CheckSubject = {
    participant: input.participant,
    referrer: referrerRow ? { id: referrerRow.id, email: referrerRow.email } : null,
    referredBy,
  };
  const lookups: CheckLookups = {
    referrerChain: (max) => referrerChain(db, tenantId, referredBy, max),
    referralsBetween: (from, to) => referralsBetween(db, tenantId, referredBy, from, to),
    blocked: (values) => blockedAmong(db, tenantId, values),
  };
  const flags: ReferralFlag[] = [];
  for (const name of input.only ?? CHECK_NAMES) {
    const detail = await referralChecks[name].run(subject, lookups, { rate: input.settings.rate });
    if (detail !== null) flags.push({ check: name, detail });
  }
  return decide(flags, (check) => input.settings[check].outcome);
}

/** The checks whose outcome is not `allow`: the only ones that can change a reward. */
export function decidingChecks(settings: ReferralCheckSettings): CheckName[] {
  return CHECK_NAMES.filter((name) => settings[name].outcome !== 'allow');
}

export type CheckedDrafts = {
  drafts: RewardDraft[];
  /** Rules whose referrer reward a `deny` stopped: `skipped: "check:<name>"`. */
  skipped: { ruleName: string; skipped: string }[];
  /** What the checks decided, when any ran (the dry run shows it). */
  decision: ReferralDecision | null;
};

/**
 * The referral checks at reward planning: only when a draft pays the event
 * participant's referrer, and only the checks whose outcome could change it
 * (none by default, so a program that sets no outcome pays nothing for them).
 * `deny` drops the referrer's drafts; `review` marks them to be written
 * pending (`review`) with the flags.
 */
export async function checkReferralRewards(db: Db, input: { tenantId: string; program: ProgramView; participant: ParticipantView; drafts: RewardDraft[] }): Promise<CheckedDrafts> {
  const { participant, drafts } = input;
  const referredBy = participant.referredBy;
  const toReferrer = (d: RewardDraft) => referredBy !== null && d.recipient.id === referredBy && d.recipient.id !== participant.id;
  const settings = input.program.settings.referralChecks;
  const only = decidingChecks(settings);
  if (!referredBy || only.length === 0 || !drafts.some(toReferrer)) return { drafts, skipped: [], decision: null };
  const referrer = drafts.find(toReferrer)!.recipient;
  const decision = await runReferralChecks(db, { tenantId: input.tenantId, settings, participant, referredBy, only, referrer });
  if (decision.deniedBy) {
    return {
      drafts: drafts.filter((d) => !toReferrer(d)),
      skipped: drafts.filter(toReferrer).map((d) => ({ ruleName: d.ruleName, skipped: `check:${decision.deniedBy}` })),
      decision,
    };
  }
  if (decision.review.length === 0) return { drafts, skipped: [], decision };
  return { drafts: drafts.map((d) => (toReferrer(d) ? { ...d, reviewFlags: decision.review } : d)), skipped: [], decision };
}
