/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiAnswer } from '../admin-env.ts';
import { formOf } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { pointerProblems } from '../api-errors.ts';
import { parseLocated, type LocatedJson } from '../json-locator.ts';
import type { Problem } from '../source-listing.tsx';
import { loadProgram, programBase, type ProgramSummary } from '../program-context.ts';
import { withOperatorWords } from '../operator-words.ts';
import { renderRules, type EditorData, type EditorState, type Version } from './rules-view.tsx';
import type { DryRunResult } from '../explanation-tree.tsx';

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

const DEFAULT_EVENT = pretty({ type: 'purchase', data: { amount: 80 } });
const DEFAULT_PARTICIPANT = pretty({ id: 'dry-run-participant', email: 'ada@example.com', w9OnFile: false });
const STARTER = pretty({
  rules: [
    {
      name: 'welcome-email',
      conditions: { all: [{ fact: 'event', path: '$.type', operator: 'equal', value: 'signup' }] },
      event: { type: 'email', params: { template: 'email-action', to: 'participant', data: { message: 'Welcome aboard!' } } },
    },
  ],
});

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The version history and the template keys the editor completes, read through the API. */
async function versionsOf(c: Context<AdminEnv>, program: ProgramSummary): Promise<EditorData> {
  const id = encodeURIComponent(program.id);
  const [versions, templates] = await Promise.all([
    c.var.api<{ versions: Version[] }>('GET', `/v1/programs/${id}/rules/versions`),
    c.var.api<{ templates: { key: string }[] }>('GET', `/v1/programs/${id}/templates`),
  ]);
  return { versions: versions.body.versions, templates: templates.body.templates.map((t) => t.key) };
}

/** The editor's text for a stored version: the document as saved, without the API's bookkeeping fields. */
function documentText(body: { rules: unknown[]; conditions?: unknown }): string {
  return pretty(body.conditions === undefined ? { rules: body.rules } : { rules: body.rules, conditions: body.conditions });
}

function stateFromForm(f: Record<string, string>): EditorState {
  return {
    rulesText: f.rules ?? '',
    eventText: f.event ?? DEFAULT_EVENT,
    participantText: f.participant ?? DEFAULT_PARTICIPANT,
    runWith: f.runWith === 'active' ? 'active' : 'draft',
    loadedVersion: null,
  };
}

const syntaxProblem = (parsed: LocatedJson): Problem[] => (parsed.ok ? [] : [{ line: parsed.error.line, column: parsed.error.column, message: parsed.error.message }]);

/** Places each of the API's pointers in the text it came from; `strip` removes the part of the pointer that named the text. */
function place(parsed: LocatedJson, problems: { pointer: string; message: string }[], strip = ''): Problem[] {
  if (!parsed.ok) return [];
  return problems.map((p) => {
    const at = parsed.locate(p.pointer.slice(strip.length));
    return { line: at.line, column: at.exact ? at.column : undefined, message: withOperatorWords(p.message), pointer: p.pointer };
  });
}

async function dryRun(c: Context<AdminEnv>, program: ProgramSummary, state: EditorState): Promise<{ state: EditorState; status: number }> {
  const rules = parseLocated(state.rulesText);
  const event = parseLocated(state.eventText);
  const participant = parseLocated(state.participantText);
  const draft = state.runWith === 'draft';
  const local: EditorState = {
    ...state,
    rulesProblems: draft ? syntaxProblem(rules) : [],
    eventProblems: syntaxProblem(event),
    participantProblems: syntaxProblem(participant),
  };
  if (event.ok && !isObject(event.value)) local.eventProblems!.push({ line: 1, message: 'The event must be a JSON object such as {"type": "purchase"}' });
  if (participant.ok && !isObject(participant.value) && typeof participant.value !== 'string') {
    local.participantProblems!.push({ line: 1, message: 'The participant must be a JSON object, or a participant id as a string' });
  }
  if (draft && rules.ok && !(isObject(rules.value) && Array.isArray(rules.value.rules))) {
    local.rulesProblems!.push({ line: 1, message: 'The rules must be an object with a "rules" array, such as {"rules": []}' });
  }
  if (local.rulesProblems!.length + local.eventProblems!.length + local.participantProblems!.length > 0) return { state: local, status: 422 };

  const doc = rules.ok ? (rules.value as Record<string, unknown>) : {};
  const who = (participant as { value: unknown }).value;
  const res: ApiAnswer<DryRunResult> = await c.var.api('POST', `/v1/programs/${encodeURIComponent(program.id)}/evaluate`, {
    ...(event as { value: Record<string, unknown> }).value,
    ...(typeof who === 'string' ? { participantId: who } : { participant: who }),
    ...(draft ? { rules: doc.rules, ...(doc.conditions !== undefined ? { conditions: doc.conditions } : {}) } : {}),
  });
  if (res.ok) return { state: { ...state, result: res.body }, status: 200 };

  // The evaluate body mixes the three texts: each pointer goes back to the one it came from.
  const all = pointerProblems(res.error);
  const inRules = all.filter((p) => p.pointer.startsWith('/rules') || p.pointer.startsWith('/conditions'));
  const inParticipant = all.filter((p) => p.pointer.startsWith('/participant'));
  const inEvent = all.filter((p) => !inRules.includes(p) && !inParticipant.includes(p));
  const placed: EditorState = {
    ...state,
    rulesProblems: draft ? place(rules, inRules) : [],
    eventProblems: place(event, inEvent),
    participantProblems: place(participant, inParticipant.filter((p) => p.pointer.startsWith('/participant/') || p.pointer === '/participant'), '/participant'),
  };
  const unplaced = (!draft ? inRules : []).concat(inParticipant.filter((p) => p.pointer === '/participantId'));
  placed.message = unplaced.length ? `${res.error!.message}: ${unplaced.map((p) => `${p.message} (${p.pointer})`).join('; ')}` : res.error!.message;
  return { state: placed, status: res.status };
}

export const rulesPage = new Hono<AdminEnv>()
  .get('/', async (c) => {
    const program = await loadProgram(c);
    const id = encodeURIComponent(program.id);
    const wanted = c.req.query('version');
    const res = wanted && /^\d+$/.test(wanted) ? await c.var.api('GET', `/v1/programs/${id}/rules/versions/${wanted}`) : await c.var.api('GET', `/v1/programs/${id}/rules`);
    const hasDoc = res.ok && res.body.version !== null;
    return renderRules(c, program, await versionsOf(c, program), {
      rulesText: hasDoc ? documentText(res.body) : STARTER,
      eventText: DEFAULT_EVENT,
      participantText: DEFAULT_PARTICIPANT,
      runWith: 'draft',
      loadedVersion: hasDoc ? res.body.version : null,
      message: wanted && !res.ok ? `There is no version ${wanted}; showing the active one instead.` : undefined,
    });
  })
  .post('/', async (c) => {
    const program = await loadProgram(c);
    const state = stateFromForm(await formOf(c));
    const parsed = parseLocated(state.rulesText);
    if (!parsed.ok) {
      return renderRules(c, program, await versionsOf(c, program), { ...state, rulesProblems: syntaxProblem(parsed), message: 'The rules are not valid JSON.' }, 422);
    }
    const res = await c.var.api('PUT', `/v1/programs/${encodeURIComponent(program.id)}/rules`, parsed.value);
    if (res.ok) return redirectWithFlash(c, `${programBase(program)}/rules`, { kind: 'success', text: `Saved version ${res.body.version}; it is active now.` });
    const problems = place(parsed, pointerProblems(res.error));
    return renderRules(c, program, await versionsOf(c, program), { ...state, rulesProblems: problems, message: res.error!.message }, res.status);
  })
  .post('/dry-run', async (c) => {
    const program = await loadProgram(c);
    const { state, status } = await dryRun(c, program, stateFromForm(await formOf(c)));
    return renderRules(c, program, await versionsOf(c, program), state, status);
  })
  .post('/rollback', async (c) => {
    const program = await loadProgram(c);
    const version = Number((await formOf(c)).version);
    const res = await c.var.api('POST', `/v1/programs/${encodeURIComponent(program.id)}/rules/rollback`, { version });
    const base = `${programBase(program)}/rules`;
    if (!res.ok) return redirectWithFlash(c, base, { kind: 'error', text: res.error!.message });
    return redirectWithFlash(c, base, { kind: 'success', text: `Version ${version} is active again.` });
  });
