/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import type { rewardView } from '../../services/views.ts';
import type { getParticipant } from '../../services/participant-service.ts';
import { searchParticipants } from '../../store/participant-queries.ts';
import { formatMoney } from '../../../plugins/rewards/money.ts';
import { Badge, InputField, when } from '../components.tsx';
import { renderPage } from '../render.tsx';

type Participant = Awaited<ReturnType<typeof getParticipant>>;
type Reward = ReturnType<typeof rewardView>;

const amount = (r: Reward) => (r.kind === 'percent_discount' ? `${r.amount}%` : formatMoney(r.amountMinor, r.currency));
const REWARD_STATUS: Record<string, { tone: 'ok' | 'warn' | 'neutral'; label: string }> = {
  available: { tone: 'ok', label: 'available' },
  pending: { tone: 'warn', label: 'pending' },
  redeemed: { tone: 'neutral', label: 'redeemed' },
  cancelled: { tone: 'neutral', label: 'cancelled' },
  expired: { tone: 'neutral', label: 'expired' },
};

function W9Status(p: { p: Participant }) {
  if (p.p.w9OnFile) return <><Badge tone="ok">On file</Badge> <span class="small muted">since {when(p.p.w9OnFileAt)}</span></>;
  if (p.p.stats.w9Required) return <><Badge tone="bad">Required</Badge> <span class="small muted">cash rewards in {p.p.stats.taxYear} passed the threshold</span></>;
  return <Badge tone="neutral">Not needed yet</Badge>;
}

function PayoutStatus(p: { p: Participant }) {
  const pending = p.p.stats.pendingPayoutCents;
  if (p.p.payoutInfoComplete) return <><Badge tone="ok">Details complete</Badge> <span class="small muted">since {when(p.p.payoutInfoCompletedAt)}</span></>;
  return (
    <>
      <Badge tone={pending > 0 ? 'warn' : 'neutral'}>Details missing</Badge>
      {pending > 0 && <span class="small muted"> {formatMoney(pending, 'USD')} held until they are complete</span>}
    </>
  );
}

function ParticipantCard(p: { p: Participant; rewards: Reward[] }) {
  const x = p.p;
  const name = [x.firstName, x.lastName].filter(Boolean).join(' ');
  return (
    <section class="card" aria-label={`Participant ${x.id}`}>
      <h2>{name || x.email}</h2>
      <dl class="facts">
        <dt>Id</dt><dd><code>{x.id}</code></dd>
        <dt>Email</dt><dd>{x.email} {x.emailVerified ? <Badge tone="ok">verified</Badge> : <Badge tone="neutral">not verified</Badge>}</dd>
        <dt>Referred by</dt><dd>{x.referredBy ? <a href={`/admin/participants?q=${encodeURIComponent(x.referredBy)}`}>{x.referredBy}</a> : '—'}</dd>
        <dt>Referrals</dt><dd>{x.stats.referralCount}</dd>
        <dt>W-9</dt><dd><W9Status p={x} /></dd>
        <dt>Payout</dt><dd><PayoutStatus p={x} /></dd>
        <dt>Cash in {x.stats.taxYear}</dt><dd>{formatMoney(x.stats.cashRewardsThisYear, 'USD')}{x.stats.excludedCurrencies.length > 0 && <span class="small muted"> (without {x.stats.excludedCurrencies.join(', ')}: no conversion rate)</span>}</dd>
        <dt>Joined</dt><dd>{when(x.createdAt)}</dd>
      </dl>
      <h3>Rewards</h3>
      {p.rewards.length === 0 ? (
        <p class="muted">No rewards yet.</p>
      ) : (
        <table class="stack">
          <thead>
            <tr><th scope="col">Date</th><th scope="col">Rule</th><th scope="col">Reward</th><th scope="col">Status</th></tr>
          </thead>
          <tbody>
            {p.rewards.map((r) => (
              <tr>
                <td data-label="Date" class="nowrap">{when(r.occurredAt)}</td>
                <td data-label="Rule"><code>{r.rule}</code></td>
                <td data-label="Reward">{amount(r)} <span class="muted small">{r.kind.replace('_', ' ')}{r.description ? `: ${r.description}` : ''}</span></td>
                <td data-label="Status"><Badge tone={REWARD_STATUS[r.status]?.tone ?? 'neutral'}>{REWARD_STATUS[r.status]?.label ?? r.status}</Badge>{r.pendingReasons.length > 0 && <span class="muted small"> {r.pendingReasons.join(', ').replace(/_/g, ' ')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p><a href={`/admin/emails?participantId=${encodeURIComponent(x.id)}`}>Emails to {x.id}</a></p>
    </section>
  );
}

export const participantsPage = new Hono<AdminEnv>().get('/', async (c) => {
  const q = (c.req.query('q') ?? '').trim().slice(0, 254);
  // The API reads one participant by id; finding by email as well is the store's search, scoped to the tenant.
  const found = q ? await searchParticipants(c.var.services.store.db, c.var.tenant.id, q, 20) : [];
  const cards = await Promise.all(
    found.map(async (row) => {
      const id = encodeURIComponent(row.id);
      const [p, r] = await Promise.all([c.var.api<Participant>('GET', `/v1/participants/${id}`), c.var.api<{ rewards: Reward[] }>('GET', `/v1/participants/${id}/rewards`)]);
      return { p: p.body, rewards: r.body.rewards };
    }),
  );
  return renderPage(
    c,
    { title: 'Participants', section: 'participants', lead: 'Find a participant by id or email: their rewards, W-9 and payout status.' },
    <>
      <form method="get" action="/admin/participants" class="card" role="search" aria-label="Find a participant">
        <InputField name="q" label="Participant id or email" type="search" value={q} required autocomplete="off" />
        <div class="actions">
          <button type="submit">Search</button>
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
    </>,
  );
});
