import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError, apiKeyRequired } from '../errors.ts';
import { inTransaction } from '../store/store.ts';
import { listTemplates } from '../store/program-queries.ts';
import { readEventContext } from '../store/event-context-queries.ts';
import { findEvent, insertEventOnce, storeEventResponse } from '../store/event-queries.ts';
import { insertEmailOnce } from '../store/email-queries.ts';
import { findEmailSettings } from '../store/email-settings-queries.ts';
import type { EmailTable, EventTable } from '../store/database.ts';
import { sha256Hex } from '../security/hashing.ts';
import { actionHandlers, type ActionType } from '../../plugins/registry.ts';
import type { ActionContext, ActionHandler, EmailDraft, ProgramView, RewardCancellation, RewardDraft } from '../../plugins/types.ts';
import { composeEmails, type ComposeEnv } from '../../plugins/mail/compose.ts';
import { readSwitches } from '../../plugins/mail/notification-switches.ts';
import { participantView, programView, rewardView, emailView } from './views.ts';
import { writeRewardEffects } from './reward-effects.ts';
import { checkReferralRewards } from './referral-checks.ts';
import { reverseEventRewards, type Clawback } from './reward-reversal.ts';
import { loadRuleset } from './ruleset-service.ts';
import { notificationSwitches, programTemplates } from './mail-config-cache.ts';
import { buildFacts } from './fact-loader.ts';
import { snapshotText } from './fact-snapshot.ts';
import { evaluateRuleset, guardEvaluation } from './evaluation.ts';
import { tracePassedConditions } from '../../rules/receipt-trace.ts';
import { mailboxDomain } from '../../plugins/mail/address.ts';
import { announce } from './webhook-outbox.ts';
import { rewardsOfEvent } from '../store/reward-announce-queries.ts';
import { eventProcessed, rewardCreated, w9Required } from './webhook-facts.ts';

export type EventInput = {
  id: string;
  type: string;
  participantId: string;
  data: Record<string, unknown>;
  occurredAt?: string;
};

/** Milliseconds per phase of one event, sent back as Server-Timing so the next bottleneck is visible in production. */
export type EventTimings = { load: number; facts: number; evaluate: number; plan: number; write: number };

/** The answer as its JSON text (written once, stored for replays and sent as is), and how many rules fired (0 on a replay). */
export type EventOutcome = { status: 200 | 201; replayed: boolean; json: string; rulesFired: number; timings?: EventTimings };

/** Who posts an event: a tenant already authenticated, or the hash of the API key the request came with (checked by the event's first read). */
export type Poster = Tenant | { keyHash: string };

export type EventBody = {
  event: { id: string; programId: string; type: string; participantId: string; occurredAt: string };
  fired: { rule: string; action: string; skipped?: string }[];
  rewards: ReturnType<typeof rewardView>[];
  emails: ReturnType<typeof emailView>[];
  /** Present when a `cancel-rewards` action fired: what it cancelled, and what was redeemed already. */
  cancelledRewards?: ReturnType<typeof rewardView>[];
  clawbacks?: Clawback[];
};

class DuplicateEvent extends Error {}

/**
 * Evaluates an event once. The event id is the idempotency key: the first
 * request claims it inside the transaction that writes the rewards and
 * emails, so a repeat (even a concurrent one) writes nothing and gets the
 * stored answer.
 */
export async function ingestEvent(services: Services, poster: Poster, programId: string, input: EventInput, onTenant?: (tenant: Tenant) => void): Promise<EventOutcome> {
  const { store } = services;
  let mark = performance.now();
  const lap = () => {
    const t = performance.now();
    const d = t - mark;
    mark = t;
    return Math.round(d * 1000) / 1000;
  };
  const requestHash = await sha256Hex(JSON.stringify([programId, input.id, input.type, input.participantId, input.data, input.occurredAt ?? null]));
  const context = await readEventContext(store.db, 'keyHash' in poster ? poster : { tenantId: poster.id }, programId, input.participantId, input.id);
  if (!context) throw apiKeyRequired();
  const tenant: Tenant = context.tenant;
  onTenant?.(tenant);
  const replay = replayFrom(context.existing, input.id, requestHash);
  if (replay) return replay;

  if (!context.program) throw new AppError('not_found', 'program not found');
  const program = programView(context.program);
  if (!context.participant) {
    throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: '/participantId', message: 'no participant with this id; create it with PUT /v1/participants/:id first' }]);
  }
  const participant = participantView(context.participant);
  const now = services.clock.now();
  const occurredAt = input.occurredAt ? new Date(input.occurredAt).toISOString() : now.toISOString();
  const event = { id: input.id, type: input.type, data: input.data, occurredAt };

  const ruleset = program.activeVersion === null ? null : await loadRuleset(store.db, tenant.id, program.id, program.activeVersion);
  const timings: EventTimings = { load: lap(), facts: 0, evaluate: 0, plan: 0, write: 0 };
  const { facts, referrer, loaded } = await buildFacts(store.db, store.dialect, tenant.id, { ruleset, event, participant, program, now });
  timings.facts = lap();
  const fired = ruleset ? evaluateRuleset(ruleset, facts) : [];
  timings.evaluate = lap();

  const firedBody: EventBody['fired'] = [];
  const rewardDrafts: RewardDraft[] = [];
  const emailDrafts: EmailDraft[] = [];
  const cancellations: RewardCancellation[] = [];
  for (const rule of fired) {
    const ctx: ActionContext = { tenantId: tenant.id, program, event, rule: { name: rule.name, priority: rule.priority }, participant, referrer };
    const handler: ActionHandler = actionHandlers[rule.action.type as ActionType];
    const plan = handler.plan(rule.action.params, ctx);
    rewardDrafts.push(...plan.rewards);
    emailDrafts.push(...plan.emails);
    if (plan.cancellations) cancellations.push(...plan.cancellations);
    firedBody.push({ rule: rule.name, action: rule.action.type, ...(plan.skipped ? { skipped: plan.skipped } : {}) });
  }

  // Referral checks: a referrer's reward denied is not planned; one for review is written pending.
  const checked = await checkReferralRewards(store.db, { tenantId: tenant.id, program, participant, drafts: rewardDrafts });
  rewardDrafts.splice(0, rewardDrafts.length, ...checked.drafts);

  // Receipts: what passed for each rule that pays a reward, re-run on the same facts (only those rules).
  const traces = new Map<string, string>();
  if (ruleset && rewardDrafts.length > 0) {
    const names = new Set(rewardDrafts.map((d) => d.ruleName));
    for (const [name, trace] of guardEvaluation(() => tracePassedConditions(ruleset.compiled, facts, names))) traces.set(name, JSON.stringify(trace));
  }

  // A rule that sends the W-9 notice itself goes through the notice's own path
  // (its data, its once-a-year key); the reward effects decide it under lock.
  const noticeRequests = emailDrafts.filter((d) => d.template === 'w9-notice');
  const nowIso = now.toISOString();
  const composeEnv: ComposeEnv = {
    tenantId: tenant.id,
    program,
    templates: await programTemplates(store.db, tenant.id, program.id, context.templatesStamp),
    switches: notificationSwitches(context.notifications),
    now: nowIso,
    messageIdDomain: messageIdDomainOf(services.config.MAIL_FROM),
  };
  const emailRows = await composeEmails(emailDrafts.filter((d) => d.template !== 'w9-notice'), composeEnv);

  timings.plan = lap();
  // The local dispatcher claims the emails as they are inserted, while it has
  // room: it takes them once the commit is durable, with no claim of its own.
  const preclaim = services.dispatcher.preclaim(tenant.id);
  const claimed = preclaim ? preclaim.claim : (row: EmailTable) => row;
  try {
    const { body, response, announced } = await inTransaction(store, async (db) => {
      const eventRow: EventTable = {
        tenant_id: tenant.id,
        id: event.id,
        program_id: program.id,
        type: event.type,
        participant_id: participant.id,
        data: JSON.stringify(event.data),
        occurred_at: occurredAt,
        request_hash: requestHash,
        response: '',
        created_at: nowIso,
        // What a backtest needs to replay this event exactly; part of the insert that already happens.
        facts: snapshotText(facts, loaded, ruleset?.version ?? null),
      };
      // With a transaction the claim is the last write and carries the answer:
      // a concurrent duplicate's writes are no-ops on their keys and its claim
      // fails, rolling it all back. D1 runs statement by statement: it claims
      // first, so a duplicate stops before writing, and stores the answer last.
      const claimFirst = !store.transactions;
      if (claimFirst && !(await insertEventOnce(db, eventRow))) throw new DuplicateEvent();
      // A refund first: its cancellations must not count toward the W-9 total the new rewards see.
      const reversal = cancellations.length > 0 ? await reverseEventRewards(db, { tenantId: tenant.id, programId: program.id, cancellations, now: nowIso }) : null;
      const emails: EmailTable[] = [];
      // The answer shows each email as the outbox accepted it (queued), claimed or not.
      for (const row of emailRows) if (await insertEmailOnce(db, claimed(row))) emails.push(row);
      const effects = await writeRewardEffects(db, {
        dialect: store.dialect,
        tenantId: tenant.id,
        program,
        event: { id: event.id, occurredAt },
        rewards: rewardDrafts,
        noticeRequests,
        composeEnv,
        now,
        ruleVersion: ruleset?.contentHash ? { version: ruleset.version, hash: ruleset.contentHash } : null,
        traces,
        eventParticipantId: participant.id,
        claimed,
      });
      const rewards = effects.rewards;
      emails.push(...effects.emails);
      const fired = withSkips(firedBody, [...checked.skipped, ...effects.limited.map((l) => ({ ruleName: l.ruleName, skipped: `limit:${l.limit}` }))]);
      const body: EventBody = {
        event: { id: event.id, programId: program.id, type: event.type, participantId: participant.id, occurredAt },
        fired,
        rewards: rewards.map((r) => rewardView(r)),
        emails: emails.map(emailView),
        ...(reversal ? { cancelledRewards: reversal.cancelled.map((r) => rewardView(r)), clawbacks: reversal.clawbacks } : {}),
      };
      // Announced in this transaction: an event that wrote a reward always says so, once per
      // endpoint. Before the stored answer, which marks the event done: on D1 a re-run after a
      // partial failure finds its rewards already written (so not in `rewards`); it announces all
      // of the event's, and the delivery key drops what was already announced.
      const written = !context.hasWebhookEndpoints ? [] : store.transactions ? rewards : await rewardsOfEvent(db, tenant.id, event.id);
      const announced = !context.hasWebhookEndpoints ? 0 : await announce(
        db,
        tenant.id,
        [
          ...written.map(rewardCreated),
          ...effects.emails.filter((e) => e.type === 'w9-notice').map(w9Required),
          eventProcessed({ ...body.event, fired, rewardIds: written.map((r) => r.id), emailIds: emails.map((e) => e.id) }, nowIso),
        ],
        now,
      );
      const response = JSON.stringify(body);
      if (claimFirst) await storeEventResponse(db, tenant.id, event.id, response);
      else if (!(await insertEventOnce(db, { ...eventRow, response }))) throw new DuplicateEvent();
      return { body, response, announced };
    });
    const queued = preclaim ? preclaim.settle(body.emails.map((e) => e.id), store.durable()) : body.emails.length;
    if (queued > 0) services.dispatcher.kick();
    if (announced > 0) services.webhooks.kick();
    timings.write = lap();
    return { status: 201, replayed: false, json: response, rulesFired: body.fired.length, timings };
  } catch (error) {
    // Rolled back (a duplicate, an error): nothing it claimed exists.
    preclaim?.forsake();
    if (!(error instanceof DuplicateEvent)) throw error;
    // With transactions the first request has committed by now. On D1 its
    // claim is visible while it still writes: wait a little for its answer.
    for (let wait = 0; wait <= 2000; wait += 100) {
      const again = await replayOf(services, tenant, input.id, requestHash);
      if (again) return again;
      if (store.transactions) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new AppError('conflict', 'this event is being processed; retry shortly');
  }
}

/** The fired rules, each whose reward a referral check or a program limit stopped saying which: `skipped: "check:<name>"` or `"limit:<name>"`. */
export function withSkips(fired: EventBody['fired'], skips: { ruleName: string; skipped: string }[]): EventBody['fired'] {
  if (skips.length === 0) return fired;
  const by = new Map<string, string>();
  for (const s of skips) if (!by.has(s.ruleName)) by.set(s.ruleName, s.skipped);
  return fired.map((f) => (f.skipped === undefined && by.has(f.rule) ? { ...f, skipped: by.get(f.rule) } : f));
}

async function replayOf(services: Services, tenant: Tenant, id: string, requestHash: string): Promise<EventOutcome | null> {
  return replayFrom(await findEvent(services.store.db, tenant.id, id), id, requestHash);
}

/** The stored answer for a repeat of this event; null when there is none yet (no event, or a D1 claim still being written). */
function replayFrom(existing: Pick<EventTable, 'request_hash' | 'response'> | undefined, id: string, requestHash: string): EventOutcome | null {
  if (!existing || existing.response === '') return null;
  if (existing.request_hash !== requestHash) {
    throw new AppError('idempotency_key_reused', `event id ${id} was already used for a different event`, [{ pointer: '/id', message: 'already used with a different body' }]);
  }
  return { status: 200, replayed: true, json: existing.response, rulesFired: 0 };
}

// MAIL_FROM changes only with the configuration: its parsed domain is kept, not parsed per event.
let fromDomain: { from: string; domain: string } | null = null;
function messageIdDomainOf(from: string): string {
  if (fromDomain?.from !== from) fromDomain = { from, domain: mailboxDomain(from) ?? 'advocate-rules.local' };
  return fromDomain.domain;
}

export async function composeEnvFor(services: Services, tenantId: string, program: ProgramView | null, now: string): Promise<ComposeEnv> {
  const [templates, settings] = await Promise.all([
    program ? listTemplates(services.store.db, tenantId, program.id) : Promise.resolve([]),
    findEmailSettings(services.store.db, tenantId),
  ]);
  return {
    tenantId,
    program,
    templates: new Map(templates.map((t) => [t.key, { subject: t.subject, html: t.html, text: t.text }])),
    switches: readSwitches(settings?.notifications),
    now,
    messageIdDomain: messageIdDomainOf(services.config.MAIL_FROM),
  };
}

