import type { Services } from '../../services.ts';
import type { Tenant } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { BacktestTable } from '../../store/database.ts';
import { findProgram } from '../../store/program-queries.ts';
import { activeBacktestOf, countWindowEvents, findBacktest, insertBacktest, listBacktests } from '../../store/backtest-queries.ts';
import { checkRuleset, loadRuleset } from '../ruleset-service.ts';
import { emptyState, type BacktestState } from './report.ts';
import { carryBacktest, type BacktestParams } from './job.ts';

/** The longest window a backtest replays, and the most events in it: a year of a busy program. */
export const MAX_WINDOW_DAYS = 366;
export const MAX_WINDOW_EVENTS = 1_000_000;
const DAY = 86_400_000;

export type BacktestInput = { rules?: unknown[]; conditions?: unknown; version?: number; from: string; to: string };

const invalid = (pointer: string, message: string) => new AppError('validation_failed', 'The request body is invalid', [{ pointer, message }]);

async function programOr404(services: Services, tenant: Tenant, programId: string) {
  const row = await findProgram(services.store.db, tenant.id, programId);
  if (!row) throw new AppError('not_found', 'program not found');
  return row;
}

/**
 * Validates the window and the candidate, records the backtest (queued) and
 * replays its first chunk; the scheduler carries the rest. Answers the record
 * as it stands (done when the window fit in one chunk).
 */
export async function startBacktest(services: Services, tenant: Tenant, programId: string, input: BacktestInput) {
  const { db } = services.store;
  const program = await programOr404(services, tenant, programId);
  const from = new Date(input.from).toISOString();
  const to = new Date(input.to).toISOString();
  if (Date.parse(to) <= Date.parse(from)) throw invalid('/to', 'must be after from');
  if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_DAYS * DAY) throw invalid('/to', `the window may span at most ${MAX_WINDOW_DAYS} days`);
  if (input.rules !== undefined && input.version !== undefined) throw invalid('/version', 'give rules or version, not both');
  if (input.rules === undefined && input.conditions !== undefined) throw invalid('/conditions', 'conditions come with rules');
  let candidate: unknown;
  if (input.rules !== undefined) {
    candidate = await checkRuleset(db, tenant.id, program.id, { rules: input.rules, ...(input.conditions !== undefined ? { conditions: input.conditions } : {}) });
  } else if (input.version !== undefined) {
    const version = input.version;
    candidate = (await loadRuleset(db, tenant.id, program.id, version).catch(() => {
      throw invalid('/version', `the program has no rule version ${version}`);
    })).ruleset;
  } else {
    throw invalid('/rules', 'give the candidate rules inline, or the version number of stored ones');
  }
  const total = await countWindowEvents(db, tenant.id, program.id, from, to);
  if (total > MAX_WINDOW_EVENTS) throw invalid('/to', `the window holds ${total} events; a backtest replays at most ${MAX_WINDOW_EVENTS}: narrow it`);
  if (await activeBacktestOf(db, tenant.id)) throw new AppError('conflict', 'a backtest of this tenant is still running; wait for it to finish');
  const now = services.clock.now().toISOString();
  const params: BacktestParams = { from, to, ...(input.version !== undefined ? { version: input.version } : {}) };
  const row: BacktestTable = {
    id: crypto.randomUUID(),
    tenant_id: tenant.id,
    program_id: program.id,
    status: 'queued',
    params: JSON.stringify(params),
    candidate: JSON.stringify(candidate),
    events_total: total,
    events_done: 0,
    cursor_occurred_at: null,
    cursor_id: null,
    state: JSON.stringify(emptyState()),
    report: null,
    error: null,
    lease_until: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
  try {
    await insertBacktest(db, row);
  } catch (error) {
    // The unique index on a tenant's active backtest: a concurrent request got there first.
    if (await activeBacktestOf(db, tenant.id)) throw new AppError('conflict', 'a backtest of this tenant is still running; wait for it to finish');
    throw error;
  }
  // The first chunk in this request (a deadline already past stops after one): a window that fits is done in the answer.
  await carryBacktest(services, row.id, 0);
  return backtestView((await findBacktest(db, tenant.id, program.id, row.id))!);
}

export async function getBacktest(services: Services, tenant: Tenant, programId: string, id: string) {
  await programOr404(services, tenant, programId);
  const row = await findBacktest(services.store.db, tenant.id, programId, id);
  if (!row) throw new AppError('not_found', 'backtest not found');
  return backtestView(row);
}

export async function listProgramBacktests(services: Services, tenant: Tenant, programId: string) {
  await programOr404(services, tenant, programId);
  return (await listBacktests(services.store.db, tenant.id, programId)).map((row) => backtestView({ ...row, report: null, state: null }));
}

/** `state` null (a list): progress without the running counts. */
export function backtestView(row: Omit<BacktestTable, 'candidate' | 'cursor_occurred_at' | 'cursor_id' | 'lease_until' | 'state'> & { state: string | null }) {
  const params = JSON.parse(row.params) as BacktestParams;
  const state = row.state === null ? null : (JSON.parse(row.state) as BacktestState);
  return {
    id: row.id,
    programId: row.program_id,
    status: row.status,
    from: params.from,
    to: params.to,
    candidate: params.version !== undefined ? { version: params.version } : { inline: true },
    progress: {
      eventsTotal: row.events_total,
      eventsDone: row.events_done,
      ...(state ? { exact: state.events.exact, approximate: state.events.approximate, changed: state.changedEvents } : {}),
    },
    ...(row.report !== null ? { report: JSON.parse(row.report) as unknown } : {}),
    ...(row.error !== null ? { error: JSON.parse(row.error) as unknown } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
