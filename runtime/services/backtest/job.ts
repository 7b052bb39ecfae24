import type { Services } from '../../services.ts';
import type { BacktestTable } from '../../store/database.ts';
import { findProgram } from '../../store/program-queries.ts';
import { claimBacktest, dueBacktests, saveBacktestProgress, windowEventsAfter, type ReplayRow } from '../../store/backtest-queries.ts';
import { rewardTotalsBetween } from '../../store/reward-queries.ts';
import { limitUsage } from '../../store/reward-limit-queries.ts';
import type { ProgramView } from '../../../plugins/types.ts';
import { cashInUsd } from '../../../plugins/rewards/cash-ledger.ts';
import { taxYear } from '../../../plugins/rewards/tax-year.ts';
import { EvaluationError } from '../../../rules/evaluate.ts';
import { EVALUATION_BUDGET } from '../../../rules/budget.ts';
import { explain } from '../../../rules/explain.ts';
import type { Ruleset } from '../../../rules/schema.ts';
import type { CompiledRuleset } from '../../../rules/compiled-types.ts';
import { programView } from '../views.ts';
import { compileDraft, loadRuleset } from '../ruleset-service.ts';
import { readsOf } from '../fact-loader.ts';
import { chunkFacts, type ReplayFacts } from './replay-facts.ts';
import { actualOutcome, candidateOutcome, ChunkBudgetExceeded, CHUNK_UNITS_PER_EVENT } from './replay.ts';
import { diffOutcomes, type EventDiff } from './diff.ts';
import { pruneLimitUsage, type BeforeWindow } from './limit-simulation.ts';
import { buildReport, record, SAMPLE_SIZE, settle, w9Crossings, w9Pairs, working, type BacktestState, type SampleEntry, type Working } from './report.ts';

// A backtest moves forward chunk by chunk: each chunk reads the next events
// of the window by keyset (occurred_at, id), replays them, and stores its
// position and the running totals in one write, so a job stopped anywhere
// (a restart, a lost instance) resumes at the last stored chunk. A lease on
// the row keeps one runner per backtest; the same chunk code runs inline for
// a POST, from the scheduler on Node and Deno and from the Cron Trigger on Workers.

/** How long a runner holds a backtest before another may take it over (a chunk takes well under a second). */
const LEASE_MS = 60_000;
/** Per scheduler run: the time spent carrying backtests forward, so the other jobs still run on time. */
export const RUN_BUDGET_MS = 10_000;
/** Past the W-9 totals read when a backtest finishes; beyond, the report says it is truncated. */
const MAX_W9_CHECKS = 1_000;
/** Each explanation of the sample is cut at this size (a note says so): 20 events, two each. */
const SAMPLE_EXPLANATION_BYTES = 16_384;
const MAX_FAILURES = 20;

export type BacktestParams = { from: string; to: string; version?: number };

type Chunk = 'more' | 'done' | 'failed' | 'lost';

/** Takes the lease, runs chunks until the backtest ends or `deadline` (performance.now()) passes, lets the lease go. */
export async function carryBacktest(services: Services, id: string, deadline: number): Promise<number> {
  const { db } = services.store;
  const now = services.clock.now();
  const lease = new Date(now.getTime() + LEASE_MS).toISOString();
  if (!(await claimBacktest(db, id, now.toISOString(), lease))) return 0;
  let chunks = 0;
  try {
    for (;;) {
      const row = await db.selectFrom('backtests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      let step: Chunk;
      try {
        step = await runChunk(services, row, lease);
      } catch (error) {
        // Not the tenant's doing (the database, a bug): logged, and the backtest ends as failed rather than
        // failing the same way at every scheduler run; the request that started it still gets its 202.
        services.logger.error('backtest chunk failed', { backtest: id, error });
        step = await fail(services, row, lease, { code: 'internal', message: 'the backtest stopped on an unexpected error; start it again', details: [] });
      }
      chunks += 1;
      if (step !== 'more' || performance.now() >= deadline) break;
    }
  } finally {
    await saveBacktestProgress(db, id, lease, { lease_until: null });
  }
  return chunks;
}

/** The scheduler's job: carries due backtests forward, oldest first, one at a time, within RUN_BUDGET_MS. */
export async function runDueBacktests(services: Services, budgetMs = RUN_BUDGET_MS): Promise<number> {
  const deadline = performance.now() + budgetMs;
  let chunks = 0;
  for (const due of await dueBacktests(services.store.db, services.clock.now().toISOString(), 20)) {
    if (performance.now() >= deadline) break;
    chunks += await carryBacktest(services, due.id, deadline);
  }
  return chunks;
}

async function fail(services: Services, row: BacktestTable, lease: string, error: { code: string; message: string; details: { pointer: string; message: string }[] }): Promise<Chunk> {
  const at = services.clock.now().toISOString();
  const saved = await saveBacktestProgress(services.store.db, row.id, lease, { status: 'failed', error: JSON.stringify(error), updated_at: at, finished_at: at });
  return saved ? 'failed' : 'lost';
}

async function runChunk(services: Services, row: BacktestTable, lease: string): Promise<Chunk> {
  const { db } = services.store;
  const chunkSize = services.config.BACKTEST_CHUNK_EVENTS;
  const programRow = await findProgram(db, row.tenant_id, row.program_id);
  if (!programRow) return fail(services, row, lease, { code: 'not_found', message: 'the program was deleted', details: [] });
  const program = programView(programRow);
  const ruleset = JSON.parse(row.candidate) as Ruleset;
  const compiled = await compileDraft(ruleset);
  const params = JSON.parse(row.params) as BacktestParams;
  const w = working(JSON.parse(row.state) as BacktestState);
  const after = row.cursor_id !== null && row.cursor_occurred_at !== null ? { occurredAt: row.cursor_occurred_at, id: row.cursor_id } : null;
  const rows = await windowEventsAfter(db, { tenantId: row.tenant_id, programId: row.program_id, from: params.from, to: params.to, after, limit: chunkSize });
  const factsList = await chunkFacts(db, services.store.dialect, row.tenant_id, program, rows, readsOf(ruleset));
  const budget = Math.max(EVALUATION_BUDGET, chunkSize * CHUNK_UNITS_PER_EVENT);
  const meter = { remaining: budget };
  // What the program's limits had counted before the window, read the first time a scope comes up.
  const prior: BeforeWindow = {
    from: params.from,
    seed: (scope, range) =>
      limitUsage(db, {
        tenantId: row.tenant_id,
        programId: row.program_id,
        ...(scope.participantId !== undefined ? { participantId: scope.participantId } : {}),
        referralsOnly: scope.referralsOnly,
        ...(scope.limit.kind !== undefined ? { kind: scope.limit.kind } : {}),
        ...(scope.limit.currency !== undefined ? { currency: scope.limit.currency } : {}),
        range,
      }),
  };
  for (let i = 0; i < rows.length; i++) {
    const event = rows[i];
    const facts = factsList[i];
    if (!facts) {
      w.state.events.skipped += 1;
      continue;
    }
    const before = actualOutcome(event);
    let candidate;
    try {
      candidate = await candidateOutcome(compiled, program, row.tenant_id, event, facts, w.state.limits.usage, meter, prior);
    } catch (error) {
      if (error instanceof ChunkBudgetExceeded) {
        return fail(services, row, lease, {
          code: 'evaluation_failed',
          message: `the candidate rules spent the evaluation budget of a chunk (${budget} units for ${chunkSize} events) by event ${event.id}; simplify the conditions that compare large arrays`,
          details: [{ pointer: '/rules', message: 'too costly to replay over this window' }],
        });
      }
      if (!(error instanceof EvaluationError)) throw error;
      // The live path would refuse this event with a 422: counted, and the first few named.
      w.state.events.failed += 1;
      if (w.state.failures.length < MAX_FAILURES) w.state.failures.push({ eventId: event.id, pointer: error.pointer, message: error.message });
      continue;
    }
    const diff = diffOutcomes(before, candidate);
    const wouldStop = candidate.limited.map((l) => l.limit);
    record(w, { participantId: facts.participant.id, exact: facts.exact, taxYear: taxYear(new Date(event.occurred_at), program.settings.timeZone).year, beforeFired: before.fired, afterFired: candidate.fired, stoppedActually: before.stoppedBy, wouldStop, diff }, program.settings);
    if (diff.changed && w.state.sample.length < SAMPLE_SIZE) w.state.sample.push(await sampleOf(services, row, program, compiled, event, facts, before.fired, candidate.fired, diff));
  }
  const last = rows.at(-1);
  if (last) pruneLimitUsage(w.state.limits.usage, Date.parse(last.occurred_at));
  const done = rows.length < chunkSize;
  const state = settle(w);
  const at = services.clock.now().toISOString();
  const fields: Partial<BacktestTable> = {
    events_done: row.events_done + rows.length,
    cursor_occurred_at: last?.occurred_at ?? row.cursor_occurred_at,
    cursor_id: last?.id ?? row.cursor_id,
    state: JSON.stringify(state),
    updated_at: at,
  };
  if (done) Object.assign(fields, { status: 'done', finished_at: at, report: JSON.stringify(await finalReport(services, row.tenant_id, program, state)) });
  if (!(await saveBacktestProgress(db, row.id, lease, fields))) return 'lost';
  return done ? 'done' : 'more';
}

/** The report, with the W-9 totals read now for the participants whose yearly cash the candidate changes. */
async function finalReport(services: Services, tenantId: string, program: ProgramView, state: BacktestState) {
  const pairs = w9Pairs(state);
  const checked = pairs.slice(0, MAX_W9_CHECKS);
  const actual = new Map<string, number>();
  for (const p of checked) {
    const year = taxYear(new Date(Date.UTC(p.year, 6, 1)), program.settings.timeZone);
    const rows = await rewardTotalsBetween(services.store.db, tenantId, p.participantId, year.from, year.to);
    actual.set(`${p.participantId}\u0000${p.year}`, cashInUsd(rows, program.settings).cents);
  }
  const crossings = w9Crossings(checked, actual, program.settings);
  return buildReport(state, { ...crossings, checked: checked.length, truncated: pairs.length > checked.length }, program.settings);
}

async function explained(compiled: CompiledRuleset | null, facts: ReplayFacts): Promise<{ rules: unknown[] | null; note?: string }> {
  if (!compiled) return { rules: [] };
  try {
    return { rules: explain(compiled, facts.facts, { maxBytes: SAMPLE_EXPLANATION_BYTES }) };
  } catch (error) {
    if (error instanceof EvaluationError) return { rules: null, note: error.message };
    throw error;
  }
}

async function sampleOf(
  services: Services,
  row: BacktestTable,
  program: ReturnType<typeof programView>,
  compiled: CompiledRuleset,
  event: ReplayRow,
  facts: ReplayFacts,
  beforeFired: string[],
  afterFired: string[],
  diff: EventDiff,
): Promise<SampleEntry> {
  // The version the event ran with; for an event from before snapshots, the program's active one now.
  const version = facts.version !== undefined ? facts.version : program.activeVersion;
  const then = version === null ? null : await loadRuleset(services.store.db, row.tenant_id, program.id, version).catch(() => null);
  return {
    eventId: event.id,
    type: event.type,
    participantId: facts.participant.id,
    occurredAt: event.occurred_at,
    exact: facts.exact,
    before: { version, fired: beforeFired, ...(await explained(then?.compiled ?? null, facts)) },
    after: { fired: afterFired, ...(await explained(compiled, facts)) },
    added: diff.added,
    removed: diff.removed,
  };
}
