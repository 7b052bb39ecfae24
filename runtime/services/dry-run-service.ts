import * as v from 'valibot';
import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import type { ProgramTable } from '../store/database.ts';
import { findParticipant } from '../store/participant-queries.ts';
import { Id, IsoTime, JsonObject } from '../routes/schemas.ts';
import { explain } from '../../rules/explain.ts';
import { participantView, programView } from './views.ts';
import { checkRuleset, compileDraft, loadRuleset, type LoadedRuleset } from './ruleset-service.ts';
import { buildFacts } from './fact-loader.ts';
import { guardEvaluation } from './evaluation.ts';
import type { ActionHandler, ParticipantView, RewardDraft } from '../../plugins/types.ts';
import { actionHandlers, type ActionType } from '../../plugins/registry.ts';
import { checkLimits } from './reward-limits.ts';
import { checkReferralRewards } from './referral-checks.ts';
import { CHECK_NAMES } from '../../plugins/referral-checks/types.ts';

export const InlineParticipant = v.strictObject({
  id: v.optional(Id, 'dry-run-participant'),
  email: v.optional(v.pipe(v.string(), v.email()), 'dry-run@example.com'),
  firstName: v.optional(v.nullable(v.string()), null),
  lastName: v.optional(v.nullable(v.string()), null),
  locale: v.optional(v.nullable(v.string()), null),
  countryCode: v.optional(v.nullable(v.string()), null),
  referredBy: v.optional(v.nullable(Id), null),
  w9OnFile: v.optional(v.boolean(), false),
  payoutInfoComplete: v.optional(v.boolean(), false),
  emailVerified: v.optional(v.boolean(), false),
  referralFlags: v.optional(v.pipe(v.array(v.picklist(CHECK_NAMES)), v.maxLength(CHECK_NAMES.length)), []),
});

export const DryRunBody = v.strictObject({
  id: v.optional(Id),
  type: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(100)),
  participantId: v.optional(Id),
  participant: v.optional(InlineParticipant),
  data: v.optional(JsonObject, {}),
  occurredAt: v.optional(IsoTime),
  rules: v.optional(v.array(v.unknown())),
  conditions: v.optional(v.unknown()),
});

/**
 * Evaluates without writing anything: the active version, or a draft sent
 * inline. The explanation comes from the same compiled rules the live path
 * runs, traced.
 */
export async function dryRun(services: Services, tenant: Tenant, programRow: ProgramTable, body: v.InferOutput<typeof DryRunBody>) {
  const { db } = services.store;
  const program = programView(programRow);
  let loaded: LoadedRuleset | null = null;
  if (body.rules) {
    const ruleset = await checkRuleset(db, tenant.id, program.id, { rules: body.rules, ...(body.conditions !== undefined ? { conditions: body.conditions } : {}) });
    loaded = { version: 0, ruleset, compiled: await compileDraft(ruleset) };
  } else if (program.activeVersion !== null) {
    loaded = await loadRuleset(db, tenant.id, program.id, program.activeVersion);
  }
  let participant: ParticipantView;
  if (body.participantId) {
    const row = await findParticipant(db, tenant.id, body.participantId);
    if (!row) throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: '/participantId', message: 'no participant with this id' }]);
    participant = participantView(row);
  } else {
    participant = { ...(body.participant ?? v.parse(InlineParticipant, {})), createdAt: services.clock.now().toISOString() } as ParticipantView;
  }
  const now = services.clock.now();
  const event = { type: body.type, data: body.data, occurredAt: body.occurredAt ? new Date(body.occurredAt).toISOString() : now.toISOString() };
  const { facts, referrer } = await buildFacts(db, services.store.dialect, tenant.id, { ruleset: loaded, event, participant, program, now });
  const rules = loaded ? guardEvaluation(() => explain(loaded.compiled, facts)) : [];
  const fired = rules.filter((r) => r.fired).map((r) => ({ rule: r.name, action: r.action.type, skipped: undefined as string | undefined }));
  // The rewards the live path would plan, against the program's limits as they stand now
  // (no locks: a concurrent event may still take the last place).
  const drafts: RewardDraft[] = [];
  for (const r of rules.filter((x) => x.fired && x.action.type === 'reward')) {
    const ctx = { tenantId: tenant.id, program, event: { id: body.id ?? 'dry-run', ...event }, rule: { name: r.name, priority: r.priority }, participant, referrer };
    const handler: ActionHandler = actionHandlers[r.action.type as ActionType];
    drafts.push(...handler.plan(r.action.params, ctx).rewards);
  }
  // The referral checks the live path would run on a referrer's reward, then the limits on what is left.
  const checked = await checkReferralRewards(db, { tenantId: tenant.id, program, participant, drafts });
  const { skipped } = await checkLimits(db, { tenantId: tenant.id, program, eventParticipantId: participant.id, occurredAt: event.occurredAt, drafts: checked.drafts });
  for (const s of [...checked.skipped, ...skipped.map((l) => ({ ruleName: l.ruleName, skipped: `limit:${l.limit}` }))]) {
    const f = fired.find((x) => x.rule === s.ruleName);
    if (f && f.skipped === undefined) f.skipped = s.skipped;
  }
  return {
    source: body.rules ? 'draft' : loaded ? { version: loaded.version } : null,
    fired: fired.map(({ skipped, ...f }) => (skipped === undefined ? f : { ...f, skipped })),
    // What the referral checks found and decided, when a referrer's reward made them run.
    ...(checked.decision ? { referralChecks: { outcome: checked.decision.outcome, flags: checked.decision.flags, review: checked.drafts.filter((d) => d.reviewFlags).map((d) => d.ruleName) } } : {}),
    rules,
  };
}
