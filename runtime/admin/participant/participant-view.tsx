/** @jsxImportSource hono/jsx */
import type { rewardView } from '../../services/views.ts';
import type { getParticipant } from '../../services/participant-service.ts';
import { formatMoney } from '../../../plugins/rewards/money.ts';
import { Badge, when } from '../components.tsx';

// How a participant and their rewards read in the console: shared by the
// search results, the list, the participant's page and its confirmations.

export type Participant = Awaited<ReturnType<typeof getParticipant>>;
export type Reward = ReturnType<typeof rewardView> & { history?: { at: string; from: string | null; to: string; pendingReasons: string[]; reason: string; actor: string; amountMinor: number | null }[] };

export const participantPath = (id: string) => `/admin/participants/${encodeURIComponent(id)}`;
export const displayName = (x: { firstName: string | null; lastName: string | null; email: string }) => [x.firstName, x.lastName].filter(Boolean).join(' ') || x.email;

export const rewardAmount = (r: Pick<Reward, 'kind' | 'amount' | 'amountMinor' | 'currency'>) => (r.kind === 'percent_discount' ? `${r.amount}%` : formatMoney(r.amountMinor, r.currency));
export const remainingAmount = (r: Reward) => (r.kind === 'percent_discount' ? `${r.amount}%` : formatMoney(r.remainingMinor, r.currency));

const REWARD_STATUS: Record<string, { tone: 'ok' | 'warn' | 'neutral'; label: string }> = {
  available: { tone: 'ok', label: 'available' },
  pending: { tone: 'warn', label: 'pending' },
  redeemed: { tone: 'neutral', label: 'redeemed' },
  cancelled: { tone: 'neutral', label: 'cancelled' },
  expired: { tone: 'neutral', label: 'expired' },
};

export function RewardStatus(p: { r: Reward }) {
  const s = REWARD_STATUS[p.r.status];
  return (
    <>
      <Badge tone={s?.tone ?? 'neutral'}>{s?.label ?? p.r.status}</Badge>
      {p.r.pendingReasons.length > 0 && <span class="muted small"> {p.r.pendingReasons.join(', ').replace(/_/g, ' ')}</span>}
    </>
  );
}

/** `waiting`: a reward of theirs is held for the W-9 (under its program's threshold, which the tenant-wide stats do not apply). */
export function W9Status(p: { p: Participant; waiting?: boolean }) {
  if (p.p.w9OnFile) return <><Badge tone="ok">On file</Badge> <span class="small muted">since {when(p.p.w9OnFileAt)}</span></>;
  if (p.waiting) return <><Badge tone="bad">Required</Badge> <span class="small muted">a reward is held until it is on file</span></>;
  if (p.p.stats.w9Required) return <><Badge tone="bad">Required</Badge> <span class="small muted">cash rewards in {p.p.stats.taxYear} passed the threshold</span></>;
  return <Badge tone="neutral">Not needed yet</Badge>;
}

export function PayoutStatus(p: { p: Participant }) {
  const pending = p.p.stats.pendingPayoutCents;
  if (p.p.payoutInfoComplete) return <><Badge tone="ok">Details complete</Badge> <span class="small muted">since {when(p.p.payoutInfoCompletedAt)}</span></>;
  return (
    <>
      <Badge tone={pending > 0 ? 'warn' : 'neutral'}>Details missing</Badge>
      {pending > 0 && <span class="small muted"> {formatMoney(pending, 'USD')} held until they are complete</span>}
    </>
  );
}

export function EmailState(p: { p: Pick<Participant, 'unsubscribed' | 'unsubscribedAt'> }) {
  return p.p.unsubscribed ? <><Badge tone="warn">Unsubscribed</Badge> <span class="small muted">since {when(p.p.unsubscribedAt)}</span></> : <Badge tone="ok">Subscribed</Badge>;
}

/** Who the participant is and where they stand: the facts list of their card and page. */
export function ParticipantFacts(p: { p: Participant; rewards?: Reward[] }) {
  const x = p.p;
  return (
    <dl class="facts">
      <dt>Id</dt><dd><code>{x.id}</code></dd>
      <dt>Email</dt><dd>{x.email} {x.emailVerified ? <Badge tone="ok">verified</Badge> : <Badge tone="neutral">not verified</Badge>}</dd>
      <dt>Emails</dt><dd><EmailState p={x} /></dd>
      <dt>Referred by</dt><dd>{x.referredBy ? <a href={participantPath(x.referredBy)}>{x.referredBy}</a> : '—'}</dd>
      <dt>Referrals</dt><dd>{x.stats.referralCount > 0 ? <a href={`/admin/participants?referredBy=${encodeURIComponent(x.id)}`}>{x.stats.referralCount}</a> : 0}</dd>
      <dt>W-9</dt><dd><W9Status p={x} waiting={p.rewards?.some((r) => r.status === 'pending' && r.pendingReasons.includes('w9_required'))} /></dd>
      <dt>Payout</dt><dd><PayoutStatus p={x} /></dd>
      <dt>Cash in {x.stats.taxYear}</dt><dd>{formatMoney(x.stats.cashRewardsThisYear, 'USD')}{x.stats.excludedCurrencies.length > 0 && <span class="small muted"> (without {x.stats.excludedCurrencies.join(', ')}: no conversion rate)</span>}</dd>
      <dt>Joined</dt><dd>{when(x.createdAt)}</dd>
    </dl>
  );
}

/** A search result: the participant at a glance, with a way to their page. */
export function ParticipantCard(p: { p: Participant; rewards: Reward[] }) {
  const x = p.p;
  return (
    <section class="card" aria-label={`Participant ${x.id}`}>
      <h2>{displayName(x)}</h2>
      <ParticipantFacts p={x} rewards={p.rewards} />
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
                <td data-label="Reward">{rewardAmount(r)} <span class="muted small">{r.kind.replace('_', ' ')}{r.description ? `: ${r.description}` : ''}</span></td>
                <td data-label="Status"><RewardStatus r={r} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="actions">
        <a class="button secondary" href={participantPath(x.id)}>Manage {x.id}</a>
        <a href={`/admin/emails?participantId=${encodeURIComponent(x.id)}`}>Emails to {x.id}</a>
      </p>
    </section>
  );
}
