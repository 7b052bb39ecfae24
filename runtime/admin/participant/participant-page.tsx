/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import { InputField, PostForm, when, Badge } from '../components.tsx';
import { renderPage } from '../render.tsx';
import type { EmailRow } from './participant-actions.ts';
import { displayName, participantPath, ParticipantFacts, remainingAmount, rewardAmount, RewardStatus, type Participant, type Reward } from './participant-view.tsx';

// One participant and everything the console can do to them. Every button
// here only asks: the action happens on the confirmation page it leads to.

/** A button that leads to the confirmation of `action` (a POST, so nothing happens on a link prefetch). */
function Ask(p: { csrf: string; base: string; action: string; label: string; danger?: boolean; fields?: Record<string, string>; children?: unknown }) {
  return (
    <PostForm action={`${p.base}/confirm`} csrf={p.csrf} class="inline-action">
      <input type="hidden" name="action" value={p.action} />
      {Object.entries(p.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      {p.children as any}
      <button type="submit" class={p.danger ? 'small danger' : 'small secondary'}>
        {p.label}
      </button>
    </PostForm>
  );
}

function History(p: { r: Reward }) {
  const rows = p.r.history ?? [];
  if (!rows.length) return null;
  return (
    <details class="history">
      <summary>History of reward {p.r.id.slice(0, 8)}</summary>
      <ol>
        {rows.map((h) => (
          <li>
            {when(h.at)}: {h.from ?? 'new'} → <strong>{h.to}</strong> ({h.reason.replace(/_/g, ' ')}, by {h.actor})
            {h.amountMinor !== null && p.r.kind !== 'percent_discount' ? ` ${rewardAmount({ ...p.r, amountMinor: h.amountMinor })}` : ''}
            {h.pendingReasons.length > 0 ? `, waiting for ${h.pendingReasons.join(', ').replace(/_/g, ' ')}` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}

function Rewards(p: { rewards: Reward[]; csrf: string; base: string }) {
  if (!p.rewards.length) return <p class="muted">No rewards yet.</p>;
  return (
    <table class="stack">
      <thead>
        <tr><th scope="col">Date</th><th scope="col">Reward</th><th scope="col">Status</th><th scope="col">Actions</th></tr>
      </thead>
      <tbody>
        {p.rewards.map((r) => {
          const short = `${rewardAmount(r)} ${r.rule}`;
          return (
            <tr>
              <td data-label="Date" class="nowrap">{when(r.occurredAt)}</td>
              <td data-label="Reward">
                {rewardAmount(r)} <span class="muted small">{r.kind.replace('_', ' ')} · rule <code>{r.rule}</code>{r.description ? ` · ${r.description}` : ''}</span>
                {r.status === 'available' && r.remainingMinor !== r.amountMinor && <div class="small">{remainingAmount(r)} remains</div>}
                <History r={r} />
              </td>
              <td data-label="Status"><RewardStatus r={r} /></td>
              <td data-label="Actions">
                <div class="actions">
                  {r.status === 'available' && (
                    <Ask csrf={p.csrf} base={p.base} action="redeem-reward" label={`Redeem ${short}…`} fields={{ rewardId: r.id }}>
                      {r.kind !== 'percent_discount' && <InputField name="amount" id={`amount-${r.id}`} label={`Amount to redeem (${r.currency})`} optional inputmode="text" hint="Blank redeems all that remains." />}
                    </Ask>
                  )}
                  {r.status === 'pending' && r.pendingReasons.includes('review') && (
                    // The review queue's own confirmation (with its note), so a decision made here is the same one.
                    <PostForm action="/admin/reviews/confirm" csrf={p.csrf} class="inline-action">
                      <button type="submit" name="one" value={`approve:${r.id}`} class="small secondary">Approve {short}…</button>
                      <button type="submit" name="one" value={`deny:${r.id}`} class="small danger">Deny {short}…</button>
                    </PostForm>
                  )}
                  {(r.status === 'available' || r.status === 'pending') && <Ask csrf={p.csrf} base={p.base} action="cancel-reward" label={`Cancel ${short}…`} danger fields={{ rewardId: r.id }} />}
                  {r.status !== 'available' && r.status !== 'pending' && <span class="muted small">None: the reward is {r.status}.</span>}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Emails(p: { emails: EmailRow[]; more: boolean; id: string; csrf: string; base: string }) {
  if (!p.emails.length) return <p class="muted">No emails yet.</p>;
  return (
    <>
      <table class="stack">
        <thead>
          <tr><th scope="col">Date</th><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Actions</th></tr>
        </thead>
        <tbody>
          {p.emails.map((e) => (
            <tr>
              <td data-label="Date" class="nowrap">{when(e.createdAt)}</td>
              <td data-label="Email" class="break">{e.subject} <span class="muted small">{e.type}</span></td>
              <td data-label="Status"><Badge tone={e.status === 'sent' ? 'ok' : e.status === 'failed' ? 'bad' : 'neutral'}>{e.status}</Badge></td>
              <td data-label="Actions">{e.status === 'failed' ? <Ask csrf={p.csrf} base={p.base} action="resend-email" label={`Resend “${e.subject}”…`} fields={{ emailId: e.id }} /> : <span class="muted small">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.more && <p><a href={`/admin/emails?participantId=${encodeURIComponent(p.id)}`}>All emails to {p.id}</a></p>}
    </>
  );
}

export function renderParticipantPage(c: Context<AdminEnv>, x: Participant, rewards: Reward[], emails: { emails: EmailRow[]; more: boolean }) {
  const base = participantPath(x.id);
  const csrf = c.var.session.csrf;
  return renderPage(
    c,
    { title: displayName(x), section: 'participants', lead: <>Participant <code>{x.id}</code>. Every action asks for confirmation first and goes through the API, which records it.</> },
    <>
      <p><a href="/admin/participants">← All participants</a></p>
      <section class="card" aria-labelledby="who-heading">
        <h2 id="who-heading">Participant</h2>
        <ParticipantFacts p={x} rewards={rewards} />
        <h3>Actions</h3>
        <div class="actions">
          {!x.w9OnFile && <Ask csrf={csrf} base={base} action="w9-on-file" label="Mark W-9 on file…" />}
          {!x.payoutInfoComplete && <Ask csrf={csrf} base={base} action="payout-complete" label="Mark payout details complete…" />}
          {x.unsubscribed ? <Ask csrf={csrf} base={base} action="resubscribe" label="Subscribe to emails again…" /> : <Ask csrf={csrf} base={base} action="unsubscribe" label="Unsubscribe from emails…" danger />}
        </div>
      </section>
      <section class="card" aria-labelledby="rewards-heading">
        <h2 id="rewards-heading">Rewards</h2>
        <Rewards rewards={rewards} csrf={csrf} base={base} />
      </section>
      <section class="card" aria-labelledby="emails-heading">
        <h2 id="emails-heading">Emails</h2>
        <Emails emails={emails.emails} more={emails.more} id={x.id} csrf={csrf} base={base} />
      </section>
    </>,
  );
}
