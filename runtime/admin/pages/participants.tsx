/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import { AppError } from '../../errors.ts';
import { searchParticipants } from '../../store/participant-queries.ts';
import { Badge, InputField, Notice, SelectField, when } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { fieldErrors } from '../api-errors.ts';
import { displayName, ParticipantCard, participantPath, type Participant, type Reward } from '../participant/participant-view.tsx';
import { isAction, PARTICIPANT_ACTIONS, type ActionTarget, type EmailRow } from '../participant/participant-actions.ts';
import { renderParticipantPage } from '../participant/participant-page.tsx';
import { renderConfirm } from '../participant/participant-confirm.tsx';

const PAGE_SIZE = 25;
const EMAILS_SHOWN = 20;

type Row = Omit<Participant, 'stats'>;

// The list's filters as the console names them, and the API query each one is.
const FILTERS = {
  state: { label: 'Emails', options: [['', 'Any'], ['subscribed', 'Subscribed'], ['unsubscribed', 'Unsubscribed']], api: { subscribed: 'unsubscribed=false', unsubscribed: 'unsubscribed=true' } },
  w9: { label: 'W-9', options: [['', 'Any'], ['on_file', 'On file'], ['not_on_file', 'Not on file'], ['required', 'Required: a reward waits for it']], api: { on_file: 'w9OnFile=true', not_on_file: 'w9OnFile=false', required: 'waitingFor=w9_required' } },
  payout: { label: 'Payout details', options: [['', 'Any'], ['complete', 'Complete'], ['missing', 'Missing'], ['waiting', 'Missing: a reward waits for them']], api: { complete: 'payoutInfoComplete=true', missing: 'payoutInfoComplete=false', waiting: 'waitingFor=payout_info' } },
} as const;
type FilterName = keyof typeof FILTERS;

type ListState = { state: string; w9: string; payout: string; referredBy: string; email: string; before: string };

function listState(c: Context<AdminEnv>): ListState {
  const q = (name: string, max = 254) => (c.req.query(name) ?? '').trim().slice(0, max);
  const pick = (name: FilterName) => {
    const value = q(name);
    return Object.hasOwn(FILTERS[name].api, value) ? value : '';
  };
  return { state: pick('state'), w9: pick('w9'), payout: pick('payout'), referredBy: q('referredBy', 200), email: q('email'), before: q('before', 600) };
}

/** The API query for the list; W-9 "required" and payout "waiting" both ask what a reward waits for, so the W-9 one wins. */
function apiQuery(s: ListState): string {
  const parts: string[] = [`limit=${PAGE_SIZE}`];
  for (const name of Object.keys(FILTERS) as FilterName[]) {
    const api = (FILTERS[name].api as Record<string, string>)[s[name]];
    if (api && !(api.startsWith('waitingFor') && parts.some((p) => p.startsWith('waitingFor')))) parts.push(api);
  }
  if (s.referredBy) parts.push(`referredBy=${encodeURIComponent(s.referredBy)}`);
  if (s.email) parts.push(`email=${encodeURIComponent(s.email)}`);
  if (s.before) parts.push(`before=${encodeURIComponent(s.before)}`);
  return parts.join('&');
}

function pageLink(s: ListState, before: string | null): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...s, before: before ?? '' })) if (v) params.set(k, v);
  const text = params.toString();
  return `/admin/participants${text ? `?${text}` : ''}`;
}

function List(p: { rows: Row[]; s: ListState; next: string | null; error: ApiError | null }) {
  const errors = fieldErrors(p.error);
  const filtered = !!(p.s.state || p.s.w9 || p.s.payout || p.s.referredBy || p.s.email);
  return (
    <>
      <form method="get" action="/admin/participants" class="card" role="search" aria-label="Filter participants">
        <h2>Filter</h2>
        <div class="grid">
          {(Object.keys(FILTERS) as FilterName[]).map((name) => (
            <SelectField name={name} label={FILTERS[name].label} value={p.s[name]} options={FILTERS[name].options.map(([value, label]) => ({ value, label }))} />
          ))}
          <InputField name="referredBy" label="Referred by (participant id)" value={p.s.referredBy} optional autocomplete="off" error={errors.referredBy} />
          <InputField name="email" label="Email starts with" value={p.s.email} optional autocomplete="off" error={errors.email} />
        </div>
        <div class="actions">
          <button type="submit">Show participants</button>
          {filtered && <a href="/admin/participants">Clear the filters</a>}
        </div>
      </form>
      {p.error && !Object.keys(errors).length && <Notice kind="error">{p.error.message}</Notice>}
      <section class="card" aria-labelledby="list-heading">
        <h2 id="list-heading">{filtered ? 'Matching participants' : 'All participants'}{p.s.before ? ' (continued)' : ''}</h2>
        {p.rows.length === 0 ? (
          <p role="status">{filtered ? 'No participant matches these filters.' : 'No participants yet: they appear when your app sends them or their events.'}</p>
        ) : (
          <table class="stack">
            <thead>
              <tr><th scope="col">Participant</th><th scope="col">Referred by</th><th scope="col">W-9</th><th scope="col">Payout details</th><th scope="col">Emails</th><th scope="col">Joined</th></tr>
            </thead>
            <tbody>
              {p.rows.map((x) => (
                <tr>
                  <td data-label="Participant" class="break"><a href={participantPath(x.id)}>{displayName(x)}</a><br /><span class="small muted">{x.id} · {x.email}</span></td>
                  <td data-label="Referred by">{x.referredBy ? <a href={participantPath(x.referredBy)}>{x.referredBy}</a> : '—'}</td>
                  <td data-label="W-9">{x.w9OnFile ? <Badge tone="ok">On file</Badge> : <Badge tone="neutral">Not on file</Badge>}</td>
                  <td data-label="Payout details">{x.payoutInfoComplete ? <Badge tone="ok">Complete</Badge> : <Badge tone="neutral">Missing</Badge>}</td>
                  <td data-label="Emails">{x.unsubscribed ? <Badge tone="warn">Unsubscribed</Badge> : <Badge tone="ok">Subscribed</Badge>}</td>
                  <td data-label="Joined" class="nowrap">{when(x.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav class="pager actions" aria-label="Pages">
          {p.s.before && <a href={pageLink(p.s, null)}>First page</a>}
          {p.next && <a href={pageLink(p.s, p.next)}>Next page</a>}
        </nav>
      </section>
    </>
  );
}

async function loadTarget(c: Context<AdminEnv>, form: Record<string, string>): Promise<{ name: string; target: ActionTarget }> {
  const name = form.action;
  if (!isAction(name)) throw new AppError('not_found', 'There is no such action.');
  const id = encodeURIComponent(c.req.param('participantId') ?? '');
  const p = await c.var.api<Participant>('GET', `/v1/participants/${id}`);
  if (!p.ok) throw new AppError('not_found', 'There is no such participant.');
  const target: ActionTarget = { participant: p.body, amount: (form.amount ?? '').trim().slice(0, 40) || undefined };
  const needs = PARTICIPANT_ACTIONS[name].needs;
  if (needs === 'reward') {
    // Only this participant's rewards: a reward id from another participant's page is not found here.
    const rewards = (await c.var.api<{ rewards: Reward[] }>('GET', `/v1/participants/${id}/rewards`)).body.rewards;
    target.reward = rewards.find((r) => r.id === form.rewardId);
    if (!target.reward) throw new AppError('not_found', 'This participant has no such reward.');
  }
  if (needs === 'email') {
    const e = await c.var.api<EmailRow>('GET', `/v1/emails/${encodeURIComponent(form.emailId ?? '')}`);
    if (!e.ok || e.body.participantId !== p.body.id) throw new AppError('not_found', 'This participant has no such email.');
    target.email = e.body;
  }
  return { name, target };
}

export const participantsPage = new Hono<AdminEnv>()
  .get('/', async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 254);
    // Finding one by id or exact email is the store's search, scoped to the tenant; the list is the API's.
    const found = q ? await searchParticipants(c.var.services.store.db, c.var.tenant.id, q, 20) : [];
    const cards = await Promise.all(
      found.map(async (row) => {
        const id = encodeURIComponent(row.id);
        const [p, r] = await Promise.all([c.var.api<Participant>('GET', `/v1/participants/${id}`), c.var.api<{ rewards: Reward[] }>('GET', `/v1/participants/${id}/rewards`)]);
        return { p: p.body, rewards: r.body.rewards };
      }),
    );
    const s = listState(c);
    const list = q ? null : await c.var.api<{ participants: Row[]; next: string | null }>('GET', `/v1/participants?${apiQuery(s)}`);
    return renderPage(
      c,
      { title: 'Participants', section: 'participants', lead: 'Everyone in your programs, newest first: filter them, or find one by id or email, and open one to act on their rewards, W-9, payout details and emails.' },
      <>
        <form method="get" action="/admin/participants" class="card" role="search" aria-label="Find a participant">
          <InputField name="q" label="Participant id or email" type="search" value={q} required autocomplete="off" />
          <div class="actions">
            <button type="submit">Search</button>
            {q && <a href="/admin/participants">Show all participants</a>}
          </div>
        </form>
        {q && cards.length === 0 && (
          <p class="card" role="status">
            No participant has the id or email “{q}”.
          </p>
        )}
        {cards.map((x) => (
          <ParticipantCard p={x.p} rewards={x.rewards} />
        ))}
        {list && <List rows={list.ok ? list.body.participants : []} next={list.ok ? list.body.next : null} s={s} error={list.error} />}
      </>,
      list && !list.ok ? list.status : 200,
    );
  })
  .get('/:participantId', async (c) => {
    const id = encodeURIComponent(c.req.param('participantId'));
    const p = await c.var.api<Participant>('GET', `/v1/participants/${id}`);
    if (p.status === 404) throw new AppError('not_found', 'There is no such participant.');
    const [r, e] = await Promise.all([
      c.var.api<{ rewards: Reward[] }>('GET', `/v1/participants/${id}/rewards`),
      c.var.api<{ emails: EmailRow[]; next: string | null }>('GET', `/v1/emails?participantId=${id}&limit=${EMAILS_SHOWN}`),
    ]);
    return renderParticipantPage(c, p.body, r.body.rewards, { emails: e.body.emails, more: e.body.next !== null });
  })
  .post('/:participantId/confirm', async (c) => {
    const { name, target } = await loadTarget(c, await formOf(c));
    return renderConfirm(c, name, PARTICIPANT_ACTIONS[name], target);
  })
  .post('/:participantId/do', async (c) => {
    const form = await formOf(c);
    const { name, target } = await loadTarget(c, form);
    const action = PARTICIPANT_ACTIONS[name];
    const key = /^[A-Za-z0-9_-]{1,200}$/.test(form.key ?? '') ? form.key : crypto.randomUUID();
    const res = await action.run(c.var.api, target, key);
    const back = participantPath(target.participant.id);
    if (!res.ok) {
      const details = fieldErrors(res.error);
      const why = Object.entries(details).map(([field, message]) => `${field} ${message}`).join('; ');
      return redirectWithFlash(c, back, { kind: 'error', text: `Not done: ${res.error!.message}${why ? ` (${why})` : ''}.` });
    }
    return redirectWithFlash(c, back, { kind: 'success', text: action.done(target) });
  });
