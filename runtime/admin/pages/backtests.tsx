/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import { AppError } from '../../errors.ts';
import { InputField, Notice, PostForm, SelectField, TextAreaField, when } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { pointerProblems } from '../api-errors.ts';
import { randomToken } from '../../security/hashing.ts';
import { withOperatorWords } from '../operator-words.ts';
import { loadProgram, programBase, programSub, type ProgramSummary } from '../program-context.ts';
import type { Version } from './rules-view.tsx';
import { BacktestReport, BacktestStatus, candidateText, progressText, windowText, type Backtest } from '../backtest/backtest-report.tsx';

// Programs → a program → Backtests: replay the program's stored events
// through a stored version or the rules in the form, and read what would
// have changed. Nothing but the backtest is written (the API's promise).

const DAY_MS = 86_400_000;
/** A running backtest's page reloads this often (a meta refresh: no script for the CSP to allow). */
const REFRESH_SECONDS = 3;
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

type FormState = { source: string; rulesText: string; from: string; through: string; key: string };
type FormErrors = Partial<Record<'source' | 'rules' | 'from' | 'through', string>> & { message?: string };

/** Where the API's pointers land on the form: the window's end is the "through" date, rule problems the textarea. */
function errorsAt(error: ApiError): FormErrors {
  const out: FormErrors = {};
  for (const p of pointerProblems(error)) {
    const field = p.pointer.split('/')[1] ?? '';
    const at = field === 'to' ? 'through' : field === 'from' ? 'from' : field === 'version' ? 'source' : field === 'rules' || field === 'conditions' ? 'rules' : null;
    const message = withOperatorWords(at === 'rules' ? `${p.pointer}: ${p.message}` : p.message);
    if (at) out[at] = out[at] ? `${out[at]}; ${message}` : message;
  }
  if (!Object.keys(out).length) out.message = error.message;
  return out;
}

function StartForm(p: { c: Context<AdminEnv>; program: ProgramSummary; versions: Version[]; s: FormState; errors: FormErrors }) {
  const options = [...p.versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}${v.active ? ' (active)' : ''}, saved ${when(v.createdAt)}` })), { value: 'form', label: 'The rules below (JSON)' }];
  return (
    <section class="card" aria-labelledby="start-heading">
      <h2 id="start-heading">Start a backtest</h2>
      {p.errors.message && <Notice kind="error">{p.errors.message}</Notice>}
      <PostForm action={`${programBase(p.program)}/backtests`} csrf={p.c.var.session.csrf}>
        <input type="hidden" name="key" value={p.s.key} />
        <SelectField name="source" label="Candidate rules" value={p.s.source} options={options} error={p.errors.source} hint="A stored version, or the rules JSON below (as the rules editor has it)." />
        <TextAreaField name="rules" label="Rules JSON (used when “The rules below” is chosen)" optional code rows={12} value={p.s.rulesText} error={p.errors.rules} />
        <div class="grid">
          <InputField name="from" label="From (UTC, first day)" type="date" value={p.s.from} required error={p.errors.from} />
          <InputField name="through" label="Through (UTC, last day)" type="date" value={p.s.through} required error={p.errors.through} hint="At most 366 days." />
        </div>
        <div class="actions">
          <button type="submit">Start the backtest</button>
        </div>
      </PostForm>
    </section>
  );
}

function List(p: { program: ProgramSummary; backtests: Backtest[] }) {
  const base = programBase(p.program);
  return (
    <section class="card" aria-labelledby="list-heading">
      <h2 id="list-heading">Backtests</h2>
      {p.backtests.length === 0 ? (
        <p>No backtests yet.</p>
      ) : (
        <table class="stack">
          <thead>
            <tr><th scope="col">Started</th><th scope="col">Candidate</th><th scope="col">Window</th><th scope="col">Status</th><th scope="col">Progress</th></tr>
          </thead>
          <tbody>
            {p.backtests.map((b) => (
              <tr>
                <td data-label="Started" class="nowrap"><a href={`${base}/backtests/${encodeURIComponent(b.id)}`}>{when(b.createdAt)}</a></td>
                <td data-label="Candidate">{candidateText(b)}</td>
                <td data-label="Window">{windowText(b)}</td>
                <td data-label="Status"><BacktestStatus b={b} /></td>
                <td data-label="Progress">{progressText(b)}{b.progress.changed !== undefined ? `, ${b.progress.changed} changed` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

async function render(c: Context<AdminEnv>, program: ProgramSummary, s: FormState | null, errors: FormErrors = {}, status = 200) {
  const id = encodeURIComponent(program.id);
  const [versions, list, active] = await Promise.all([
    c.var.api<{ versions: Version[] }>('GET', `/v1/programs/${id}/rules/versions`),
    c.var.api<{ backtests: Backtest[] }>('GET', `/v1/programs/${id}/backtests`),
    s ? null : c.var.api<{ version: number | null; rules: unknown[]; conditions?: unknown }>('GET', `/v1/programs/${id}/rules`),
  ]);
  const today = c.var.services.clock.now().toISOString().slice(0, 10);
  const state: FormState = s ?? {
    source: active?.ok && active.body.version !== null ? String(active.body.version) : 'form',
    rulesText: active?.ok && active.body.version !== null ? pretty(active.body.conditions === undefined ? { rules: active.body.rules } : { rules: active.body.rules, conditions: active.body.conditions }) : pretty({ rules: [] }),
    from: new Date(Date.parse(today) - 30 * DAY_MS).toISOString().slice(0, 10),
    through: today,
    key: randomToken(16),
  };
  return renderPage(
    c,
    {
      title: `Backtests of ${program.name}`,
      section: 'programs',
      sub: programSub(program, 'backtests'),
      lead: 'Replay the events the program received through other rules and see what would have changed. Nothing is paid, sent or written but the backtest.',
    },
    <>
      <StartForm c={c} program={program} versions={versions.ok ? versions.body.versions : []} s={state} errors={errors} />
      <List program={program} backtests={list.ok ? list.body.backtests : []} />
    </>,
    status,
  );
}

/** The form as the API's body: a version or the rules JSON, and the days as a half-open UTC window. */
function bodyOf(s: FormState): { body: Record<string, unknown> } | { errors: FormErrors } {
  const errors: FormErrors = {};
  if (!isDate(s.from)) errors.from = 'must be a date';
  if (!isDate(s.through)) errors.through = 'must be a date';
  const body: Record<string, unknown> = {};
  if (/^\d{1,9}$/.test(s.source)) body.version = Number(s.source);
  else if (s.source === 'form') {
    try {
      const doc = JSON.parse(s.rulesText) as unknown;
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) errors.rules = 'must be a JSON object with "rules" (as the rules editor has it)';
      else {
        const d = doc as Record<string, unknown>;
        body.rules = d.rules;
        if (d.conditions !== undefined) body.conditions = d.conditions;
      }
    } catch (e) {
      errors.rules = `is not valid JSON (${(e as Error).message})`;
    }
  } else errors.source = 'choose a version or the rules below';
  if (Object.keys(errors).length) return { errors };
  body.from = `${s.from}T00:00:00.000Z`;
  // "Through" a day is up to the start of the next one: the API's window is [from, to).
  const end = Date.parse(`${s.through}T00:00:00.000Z`);
  if (Number.isNaN(end)) return { errors: { through: 'is not a date of the calendar' } };
  body.to = new Date(end + DAY_MS).toISOString();
  return { body };
}

export const backtestsPage = new Hono<AdminEnv>()
  .get('/', async (c) => render(c, await loadProgram(c), null))
  .post('/', async (c) => {
    const program = await loadProgram(c);
    const f = await formOf(c);
    const s: FormState = {
      source: (f.source ?? '').slice(0, 20),
      rulesText: f.rules ?? '',
      from: (f.from ?? '').trim().slice(0, 20),
      through: (f.through ?? '').trim().slice(0, 20),
      key: /^[A-Za-z0-9_-]{1,200}$/.test(f.key ?? '') ? f.key! : randomToken(16),
    };
    const built = bodyOf(s);
    if ('errors' in built) return render(c, program, s, built.errors, 422);
    const res = await c.var.api<Backtest>('POST', `/v1/programs/${encodeURIComponent(program.id)}/backtests`, built.body, { 'idempotency-key': s.key });
    // A refused start gets a new key, so the corrected form is a new request rather than the refusal replayed.
    if (!res.ok) return render(c, program, { ...s, key: randomToken(16) }, errorsAt(res.error!), res.status);
    return redirectWithFlash(c, `${programBase(program)}/backtests/${encodeURIComponent(res.body.id)}`, { kind: 'success', text: res.body.status === 'done' ? 'The backtest is done.' : 'The backtest started; this page refreshes until it is done.' });
  })
  .get('/:backtestId', async (c) => {
    const program = await loadProgram(c);
    const res = await c.var.api<Backtest>('GET', `/v1/programs/${encodeURIComponent(program.id)}/backtests/${encodeURIComponent(c.req.param('backtestId'))}`);
    if (res.status === 404 || res.status === 422) throw new AppError('not_found', 'There is no such backtest.');
    if (!res.ok) throw new AppError('internal', res.error!.message);
    const b = res.body;
    const running = b.status === 'queued' || b.status === 'running';
    const self = `${programBase(program)}/backtests/${encodeURIComponent(b.id)}`;
    return renderPage(
      c,
      {
        title: `Backtest of ${candidateText(b)}`,
        section: 'programs',
        sub: programSub(program, 'backtests'),
        lead: `Events of ${program.name} from ${windowText(b)} (UTC days), started ${when(b.createdAt)}.`,
        refreshSeconds: running ? REFRESH_SECONDS : undefined,
      },
      <>
        <p><a href={`${programBase(program)}/backtests`}>← All backtests</a></p>
        <section class="card" aria-labelledby="status-heading">
          <h2 id="status-heading">Status</h2>
          <p>
            <BacktestStatus b={b} /> {progressText(b)}
            {b.progress.approximate ? `, ${b.progress.approximate} approximate` : ''}
            {b.progress.changed !== undefined ? `, ${b.progress.changed} changed${running ? ' so far' : ''}` : ''}
            {b.finishedAt ? `; finished ${when(b.finishedAt)}` : ''}
          </p>
          {running && (
            <>
              <progress max={Math.max(1, b.progress.eventsTotal)} value={b.progress.eventsDone} aria-label="Events replayed"></progress>
              <p class="small">This page refreshes every {REFRESH_SECONDS} seconds until the backtest is done. <a href={self}>Refresh now</a></p>
            </>
          )}
          {b.error && <Notice kind="error">{withOperatorWords(b.error.message)}{b.error.details.length ? `: ${b.error.details.map((d) => `${d.message} (${d.pointer})`).join('; ')}` : ''}</Notice>}
        </section>
        {b.report && <BacktestReport report={b.report} />}
      </>,
    );
  });
