/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import { Badge, Notice, PostForm, SelectField, TextAreaField, when } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { ProblemList, SourceListing, EDITOR_SCRIPT, type Problem } from '../source-listing.tsx';
import { DryRunOutcome, type DryRunResult } from '../explanation-tree.tsx';
import { programBase, programSub, type ProgramSummary } from '../program-context.ts';
import { COMPLETION_SCRIPT, RulesCompletion } from '../rules-completion.tsx';

export type Version = { version: number; active: boolean; contentHash: string; createdAt: string };
export type EditorData = { versions: Version[]; templates: string[] };

/** Problems in the order of the text they are in: line, then column. */
const inLineOrder = (problems: Problem[] | undefined) => [...(problems ?? [])].sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));

export type EditorState = {
  rulesText: string;
  eventText: string;
  participantText: string;
  runWith: 'draft' | 'active';
  /** Which stored version the editor was loaded from; null for a new or edited text. */
  loadedVersion: number | null;
  rulesProblems?: Problem[];
  eventProblems?: Problem[];
  participantProblems?: Problem[];
  /** A failure with no line to point at. */
  message?: string;
  result?: DryRunResult;
};

const count = (n: number) => `${n} problem${n === 1 ? '' : 's'}; see the list below.`;

function EditorStatus(p: { program: ProgramSummary; state: EditorState }) {
  const { loadedVersion } = p.state;
  if (loadedVersion === null) return <p class="hint">Saving validates the rules and makes them the active version; the old ones stay in the history.</p>;
  if (loadedVersion === p.program.activeVersion) return <p class="hint">The active version ({loadedVersion}). Saving your changes makes them a new version; this one stays in the history.</p>;
  return (
    <Notice kind="info">
      Viewing version {loadedVersion}, which is not active. Saving it makes it a new active version; rolling back reactivates it as is.
    </Notice>
  );
}

function History(p: { base: string; versions: Version[]; csrf: string }) {
  return (
    <section class="card" aria-labelledby="history-heading">
      <h2 id="history-heading">Version history</h2>
      {p.versions.length === 0 ? (
        <p>No versions yet.</p>
      ) : (
        <table class="stack">
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">Status</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {p.versions.map((v) => (
              <tr>
                <td data-label="Version">{v.version}</td>
                <td data-label="Saved" class="nowrap">{when(v.createdAt)}</td>
                <td data-label="Status">{v.active ? <Badge tone="ok">Active</Badge> : <span class="muted">—</span>}</td>
                <td data-label="Actions">
                  <div class="actions">
                    <a class="button secondary small" href={`${p.base}?version=${v.version}`}>View version {v.version}</a>
                    {!v.active && (
                      <PostForm action={`${p.base}/rollback`} csrf={p.csrf}>
                        <input type="hidden" name="version" value={String(v.version)} />
                        <button type="submit" class="small danger">Roll back to version {v.version}</button>
                      </PostForm>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function renderRules(c: Context<AdminEnv>, program: ProgramSummary, data: EditorData, state: EditorState, status = 200) {
  const base = `${programBase(program)}/rules`;
  const { versions } = data;
  const rulesProblems = inLineOrder(state.rulesProblems);
  const eventProblems = inLineOrder(state.eventProblems);
  const participantProblems = inLineOrder(state.participantProblems);
  const anyProblem = rulesProblems.length + eventProblems.length + participantProblems.length > 0 || !!state.message;
  return renderPage(
    c,
    { title: `Rules of ${program.name}`, section: 'programs', sub: programSub(program, 'rules'), script: EDITOR_SCRIPT + COMPLETION_SCRIPT },
    <>
      {anyProblem && (
        <div tabindex={-1} data-autofocus="">
          <Notice kind="error">
            {state.message ?? 'Fix the problems marked below.'}
          </Notice>
        </div>
      )}
      <PostForm action={base} csrf={c.var.session.csrf} id="rules-form">
        <div class="split">
          <section class="card" aria-labelledby="editor-heading">
            <h2 id="editor-heading">Rules</h2>
            <EditorStatus program={program} state={state} />
            <TextAreaField
              name="rules"
              id="f-rules"
              label="Rules (JSON)"
              code
              rows={26}
              value={state.rulesText}
              error={rulesProblems.length ? count(rulesProblems.length) : undefined}
              marks={rulesProblems.map((x) => x.line)}
              describedBy={rulesProblems.length ? 'rules-problems' : undefined}
            />
            <ProblemList id="rules-problems" target="f-rules" problems={rulesProblems} label="Problems in the rules" />
            <SourceListing text={state.rulesText} problems={rulesProblems} label="The rules, with each problem under its line" />
            <RulesCompletion target="f-rules" templates={data.templates} />
            <div class="actions">
              <button type="submit">Save rules</button>
            </div>
          </section>
          <section class="card" aria-labelledby="dry-heading">
            <h2 id="dry-heading">Dry run</h2>
            <p class="hint">Evaluates one event and shows which rules fire and why. Nothing is saved and no email is sent.</p>
            <SelectField
              name="runWith"
              label="Rules to run"
              value={state.runWith}
              options={[
                { value: 'draft', label: 'The rules in the editor' },
                { value: 'active', label: 'The active version' },
              ]}
            />
            <TextAreaField
              name="event"
              id="f-event"
              label="Event (JSON)"
              code
              rows={8}
              value={state.eventText}
              error={eventProblems.length ? count(eventProblems.length) : undefined}
              marks={eventProblems.map((x) => x.line)}
              describedBy={eventProblems.length ? 'event-problems' : undefined}
              hint={'type, and optionally data, id and occurredAt, as in POST …/events.'}
            />
            <ProblemList id="event-problems" target="f-event" problems={eventProblems} label="Problems in the event" />
            <SourceListing text={state.eventText} problems={eventProblems} label="The event, with each problem under its line" />
            <TextAreaField
              name="participant"
              id="f-participant"
              label="Participant (JSON)"
              code
              rows={7}
              value={state.participantText}
              error={participantProblems.length ? count(participantProblems.length) : undefined}
              marks={participantProblems.map((x) => x.line)}
              describedBy={participantProblems.length ? 'participant-problems' : undefined}
              hint={'An object describes a participant for this run only; a string such as "alice" uses that stored participant.'}
            />
            <ProblemList id="participant-problems" target="f-participant" problems={participantProblems} label="Problems in the participant" />
            <SourceListing text={state.participantText} problems={participantProblems} label="The participant, with each problem under its line" />
            <div class="actions">
              <button type="submit" class="secondary" formaction={`${base}/dry-run`}>
                Dry run
              </button>
            </div>
          </section>
        </div>
      </PostForm>
      {state.result && (
        <section class="card" aria-labelledby="result-heading" id="result">
          <h2 id="result-heading" tabindex={-1} data-autofocus="">
            Dry run result
          </h2>
          <DryRunOutcome result={state.result} />
        </section>
      )}
      <History base={base} versions={versions} csrf={c.var.session.csrf} />
    </>,
    status,
  );
}
