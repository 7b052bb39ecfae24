/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import { AppError } from '../../errors.ts';
import { Badge, Notice, PostForm, SelectField, TextAreaField, when } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { fieldErrors } from '../api-errors.ts';
import { randomToken } from '../../security/hashing.ts';
import type { ProgramSummary } from '../program-context.ts';
import { participantPath, rewardAmount, RewardStatus, type Reward } from '../participant/participant-view.tsx';

// The review queue: rewards a referral check held for review, with the flags
// that held them. Approving or denying, one or the selected ones, always goes
// through a confirmation page (with a note for the history), then one API
// call whose answer is shown per reward.

const PAGE_SIZE = 25;
/** The API decides at most 100 at once; a page shows 25, so a form naming more was not made here. */
const MAX_SELECTED = 100;
/** Checkbox names: one field per reward (`pick.<id>`), since the console's form reader keeps one value per name. */
const PICK = 'pick.';

type Review = Reward & { reviewFlags: { check: string; detail: unknown }[] };
type Outcome = { rewardId: string; status: number; reward?: Review; error?: ApiError };
type Decision = 'approve' | 'deny';

const CHECK_WORDS: Record<string, string> = {
  selfReferral: 'Self-referral',
  cycle: 'Referral loop',
  rate: 'Many referrals at once',
  disposableEmail: 'Disposable email',
  blocked: 'Blocked address',
};
const checkName = (check: string) => CHECK_WORDS[check] ?? check;
const detailText = (detail: unknown) => (typeof detail === 'string' ? detail : JSON.stringify(detail ?? null).slice(0, 300));
const rewardLabel = (r: Review) => `${rewardAmount(r)} ${r.kind.replace('_', ' ')} for ${r.participantId}`;

type ListState = { programId: string; before: string };

function listState(c: Context<AdminEnv>): ListState {
  const q = (name: string, max: number) => (c.req.query(name) ?? '').trim().slice(0, max);
  return { programId: q('programId', 200), before: q('before', 600) };
}

function pageLink(s: ListState, before: string | null): string {
  const params = new URLSearchParams();
  if (s.programId) params.set('programId', s.programId);
  if (before) params.set('before', before);
  const text = params.toString();
  return `/admin/reviews${text ? `?${text}` : ''}`;
}

function Flags(p: { r: Review }) {
  if (!p.r.reviewFlags.length) return <span class="muted small">no flags kept</span>;
  return (
    <ul class="flags">
      {p.r.reviewFlags.map((f) => (
        <li>
          <Badge tone="warn">{checkName(f.check)}</Badge> <span class="small">{detailText(f.detail)}</span>
        </li>
      ))}
    </ul>
  );
}

function Queue(p: { rows: Review[]; s: ListState; next: string | null; programs: ProgramSummary[]; csrf: string; error: ApiError | null }) {
  const programName = new Map(p.programs.map((x) => [x.id, x.name]));
  const errors = fieldErrors(p.error);
  return (
    <>
      <form method="get" action="/admin/reviews" class="card" role="search" aria-label="Filter reviews">
        <h2>Filter</h2>
        <SelectField
          name="programId"
          label="Program"
          value={p.s.programId}
          options={[{ value: '', label: 'All programs' }, ...p.programs.map((x) => ({ value: x.id, label: x.name }))]}
          error={errors.programId}
        />
        <div class="actions">
          <button type="submit">Show reviews</button>
          {p.s.programId && <a href="/admin/reviews">Clear the filter</a>}
        </div>
      </form>
      {p.error && !Object.keys(errors).length && <Notice kind="error">{p.error.message}</Notice>}
      <section class="card" aria-labelledby="queue-heading">
        <h2 id="queue-heading">Waiting for review{p.s.before ? ' (continued)' : ''}</h2>
        {p.rows.length === 0 ? (
          <p role="status">{p.s.programId ? 'No reward of this program waits for review.' : 'No reward waits for review.'}</p>
        ) : (
          <PostForm action="/admin/reviews/confirm" csrf={p.csrf}>
            <table class="stack">
              <thead>
                <tr><th scope="col">Select</th><th scope="col">Reward</th><th scope="col">Flags</th><th scope="col">Status</th><th scope="col">Decide</th></tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr>
                    <td data-label="Select">
                      <input type="checkbox" id={`pick-${r.id}`} name={`${PICK}${r.id}`} value="on" aria-label={`Select ${rewardLabel(r)}`} />
                    </td>
                    <td data-label="Reward" class="break">
                      <label for={`pick-${r.id}`}>{rewardAmount(r)}</label> <span class="muted small">{r.kind.replace('_', ' ')} · rule <code>{r.rule}</code></span>
                      <div class="small">
                        to <a href={participantPath(r.participantId)}>{r.participantId}</a> · {programName.get(r.programId) ?? r.programId} · {when(r.occurredAt)}
                      </div>
                    </td>
                    <td data-label="Flags"><Flags r={r} /></td>
                    <td data-label="Status"><RewardStatus r={r} /></td>
                    <td data-label="Decide">
                      <div class="actions">
                        <button type="submit" name="one" value={`approve:${r.id}`} class="small secondary" aria-label={`Approve ${rewardLabel(r)}…`}>Approve…</button>
                        <button type="submit" name="one" value={`deny:${r.id}`} class="small danger" aria-label={`Deny ${rewardLabel(r)}…`}>Deny…</button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="actions">
              <button type="submit" name="decision" value="approve">Approve selected…</button>
              <button type="submit" name="decision" value="deny" class="danger">Deny selected…</button>
            </div>
          </PostForm>
        )}
        <nav class="pager actions" aria-label="Pages">
          {p.s.before && <a href={pageLink(p.s, null)}>First page</a>}
          {p.next && <a href={pageLink(p.s, p.next)}>Next page</a>}
        </nav>
      </section>
    </>
  );
}

/** What the form asks: the decision and the reward ids, from a row's own button or the checkboxes. */
function requested(form: Record<string, string>): { decision: Decision; ids: string[] } | null {
  const one = /^(approve|deny):(.{1,200})$/s.exec(form.one ?? '');
  if (one) return { decision: one[1] as Decision, ids: [one[2]!] };
  const decision = form.decision;
  if (decision !== 'approve' && decision !== 'deny') return null;
  const ids = Object.keys(form).filter((k) => k.startsWith(PICK)).map((k) => k.slice(PICK.length)).filter((id) => id.length > 0 && id.length <= 200);
  if (ids.length > MAX_SELECTED) throw new AppError('validation_failed', `Select at most ${MAX_SELECTED} rewards at once.`);
  // The confirmation page carries the ids as one comma-separated field.
  const carried = (form.rewardIds ?? '').split(',').filter((id) => id.length > 0 && id.length <= 200).slice(0, MAX_SELECTED);
  return { decision, ids: ids.length ? ids : carried };
}

/** The selected rewards as the queue has them now (so the confirmation names each), and the ids it no longer has. */
async function loadSelected(c: Context<AdminEnv>, ids: string[]): Promise<{ found: Review[]; missing: string[] }> {
  // The queue is at most a few pages; read it in pages until every id is seen (bounded: 100 ids, 20 pages).
  const wanted = new Set(ids);
  const found = new Map<string, Review>();
  let before = '';
  for (let page = 0; page < 20 && found.size < wanted.size; page++) {
    const res = await c.var.api<{ reviews: Review[]; next: string | null }>('GET', `/v1/reviews?limit=100${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    if (!res.ok) break;
    for (const r of res.body.reviews) if (wanted.has(r.id)) found.set(r.id, r);
    if (!res.body.next) break;
    before = res.body.next;
  }
  return { found: ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : [])), missing: ids.filter((id) => !found.has(id)) };
}

function Confirm(p: { c: Context<AdminEnv>; decision: Decision; found: Review[]; missing: string[]; note?: string; noteError?: string }) {
  const n = p.found.length + p.missing.length;
  const verb = p.decision === 'approve' ? 'Approve' : 'Deny';
  const title = n === 1 && p.found[0] ? `${verb} the ${rewardLabel(p.found[0])}?` : `${verb} ${n} rewards?`;
  return (
    <section class="card" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">{title}</h2>
      <Notice kind="info">
        {p.decision === 'approve'
          ? 'Approval ends the review: a reward held for nothing else becomes available and its email goes now; one still held (hold days, payout details, a W-9) stays pending for those. Recorded in each reward’s history with your note.'
          : 'Denial cancels each reward: it can no longer be redeemed and this cannot be undone. Recorded in each reward’s history with your note.'}
      </Notice>
      {p.found.length > 0 && (
        <ul>
          {p.found.map((r) => (
            <li>
              {rewardLabel(r)} <span class="muted small">rule {r.rule}; {r.reviewFlags.map((f) => checkName(f.check)).join(', ') || 'no flags kept'}</span>
            </li>
          ))}
        </ul>
      )}
      {p.missing.length > 0 && <p class="small">Not in the queue any more (decided already?): {p.missing.join(', ')}. They are sent too, and the answer says why each one was not done.</p>}
      <PostForm action="/admin/reviews/do" csrf={p.c.var.session.csrf}>
        <input type="hidden" name="decision" value={p.decision} />
        <input type="hidden" name="rewardIds" value={[...p.found.map((r) => r.id), ...p.missing].join(',')} />
        <input type="hidden" name="key" value={randomToken(16)} />
        <TextAreaField name="note" label="Note for the history" optional rows={3} value={p.note ?? ''} error={p.noteError} hint="Why you decided so; at most 1000 characters." />
        <div class="actions">
          <button type="submit" class={p.decision === 'deny' ? 'danger' : undefined}>
            {p.decision === 'approve' ? `Yes, approve ${n === 1 ? 'it' : `these ${n}`}` : `Yes, deny ${n === 1 ? 'it' : `these ${n}`}`}
          </button>
          <a href="/admin/reviews">No, go back</a>
        </div>
      </PostForm>
    </section>
  );
}

function Results(p: { decision: Decision; outcomes: Outcome[] }) {
  const done = p.outcomes.filter((o) => o.status === 200).length;
  return (
    <section class="card" aria-labelledby="results-heading">
      <h2 id="results-heading">{p.decision === 'approve' ? 'Approved' : 'Denied'}: {done} of {p.outcomes.length}</h2>
      <table class="stack">
        <thead>
          <tr><th scope="col">Reward</th><th scope="col">Result</th></tr>
        </thead>
        <tbody>
          {p.outcomes.map((o) => (
            <tr data-reward={o.rewardId}>
              <td data-label="Reward" class="break">{o.reward ? rewardLabel(o.reward) : <code>{o.rewardId}</code>}</td>
              <td data-label="Result">
                {o.reward ? (
                  <>
                    <Badge tone="ok">done</Badge> now <RewardStatus r={o.reward} />
                  </>
                ) : (
                  <>
                    <Badge tone="bad">{o.status === 404 ? 'not found' : o.status === 409 ? 'not done' : `error ${o.status}`}</Badge> {o.error?.message ?? ''}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p><a href="/admin/reviews">Back to the review queue</a></p>
    </section>
  );
}

export const reviewsPage = new Hono<AdminEnv>()
  .get('/', async (c) => {
    const s = listState(c);
    const query = [`limit=${PAGE_SIZE}`, s.programId ? `programId=${encodeURIComponent(s.programId)}` : '', s.before ? `before=${encodeURIComponent(s.before)}` : ''].filter(Boolean).join('&');
    const [list, programs] = await Promise.all([
      c.var.api<{ reviews: Review[]; next: string | null }>('GET', `/v1/reviews?${query}`),
      c.var.api<{ programs: ProgramSummary[] }>('GET', '/v1/programs'),
    ]);
    return renderPage(
      c,
      { title: 'Reviews', section: 'reviews', lead: 'Rewards a referral check held for review, newest first, with what each check found. Approve or deny one, or select several; each decision asks for confirmation first.' },
      <Queue rows={list.ok ? list.body.reviews : []} next={list.ok ? list.body.next : null} s={s} programs={programs.ok ? programs.body.programs : []} csrf={c.var.session.csrf} error={list.error} />,
      list.ok ? 200 : list.status,
    );
  })
  .post('/confirm', async (c) => {
    const asked = requested(await formOf(c));
    if (!asked) throw new AppError('validation_failed', 'Choose approve or deny.');
    if (!asked.ids.length) {
      return renderPage(c, { title: 'Reviews', section: 'reviews' }, <><Notice kind="error">Select at least one reward first.</Notice><p><a href="/admin/reviews">Back to the review queue</a></p></>, 422);
    }
    const { found, missing } = await loadSelected(c, asked.ids);
    return renderPage(c, { title: 'Confirm', section: 'reviews' }, <Confirm c={c} decision={asked.decision} found={found} missing={missing} />);
  })
  .post('/do', async (c) => {
    const form = await formOf(c);
    const asked = requested(form);
    if (!asked || !asked.ids.length) throw new AppError('validation_failed', 'Choose approve or deny and at least one reward.');
    const note = (form.note ?? '').trim();
    const key = /^[A-Za-z0-9_-]{1,200}$/.test(form.key ?? '') ? form.key! : crypto.randomUUID();
    let outcomes: Outcome[];
    let error: ApiError | null = null;
    let errorStatus = 422;
    if (asked.ids.length === 1) {
      const id = asked.ids[0]!;
      const res = await c.var.api<Review>('POST', `/v1/rewards/${encodeURIComponent(id)}/${asked.decision}`, note ? { note } : {});
      outcomes = [res.ok ? { rewardId: id, status: 200, reward: res.body } : { rewardId: id, status: res.status, error: res.error! }];
      // A refused body (the note) is the form's to fix; a refused reward (404, 409) is that reward's result.
      if (res.status === 422 && fieldErrors(res.error).note) error = res.error;
    } else {
      const res = await c.var.api<{ results: Outcome[] }>('POST', '/v1/reviews/decisions', { decision: asked.decision, rewardIds: asked.ids, ...(note ? { note } : {}) }, { 'idempotency-key': key });
      outcomes = res.ok ? res.body.results : [];
      if (!res.ok) [error, errorStatus] = [res.error, res.status];
    }
    if (error) {
      // A refused note (too long) is said at the field, anything else above the form, with the confirmation as it was.
      const { found, missing } = await loadSelected(c, asked.ids);
      const noteError = fieldErrors(error).note;
      return renderPage(
        c,
        { title: 'Confirm', section: 'reviews' },
        <>
          {!noteError && <Notice kind="error">Not done: {error.message}</Notice>}
          <Confirm c={c} decision={asked.decision} found={found} missing={missing} note={note} noteError={noteError} />
        </>,
        errorStatus,
      );
    }
    return renderPage(c, { title: 'Review decisions', section: 'reviews' }, <Results decision={asked.decision} outcomes={outcomes} />);
  });
