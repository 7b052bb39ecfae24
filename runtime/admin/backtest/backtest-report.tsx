/** @jsxImportSource hono/jsx */
import type * as v from 'valibot';
import type { BacktestShape } from '../../openapi/shapes.ts';
import type { RuleExplanation } from '../../../rules/explain.ts';
import { Badge, when } from '../components.tsx';
import { CategoryBars, ChartTable } from '../charts.tsx';
import { Explanations } from '../explanation-tree.tsx';
import { withOperatorWords } from '../operator-words.ts';
import { participantPath } from '../participant/participant-view.tsx';
import { formatMoney } from '../../../plugins/rewards/money.ts';

// A backtest's report as tables a program manager reads: what the candidate
// rules would have paid that was not paid, and the reverse, who it touches,
// and a sample of the changed events with both explanations.

export type Backtest = v.InferOutput<typeof BacktestShape>;
type Report = NonNullable<Backtest['report']>;
type SampleReward = Report['sample'][number]['added'][number];

const money = (minor: number, currency: string) => formatMoney(minor, currency);
const signed = (minor: number, currency: string) => (minor > 0 ? `+${money(minor, currency)}` : money(minor, currency));
const kindWords = (kind: string) => kind.replace(/_/g, ' ');

/** The window as the form asked for it: first day through last day (the API's end is the next midnight, exclusive). */
export function windowText(b: Pick<Backtest, 'from' | 'to'>): string {
  const last = new Date(Date.parse(b.to) - 1).toISOString().slice(0, 10);
  return `${b.from.slice(0, 10)} through ${last}`;
}

export const candidateText = (b: Pick<Backtest, 'candidate'>) => ('version' in b.candidate ? `version ${b.candidate.version}` : 'rules from the form');

export function BacktestStatus(p: { b: Pick<Backtest, 'status'> }) {
  const tone = p.b.status === 'done' ? 'ok' : p.b.status === 'failed' ? 'bad' : 'warn';
  return <Badge tone={tone}>{p.b.status}</Badge>;
}

export function progressText(b: Pick<Backtest, 'progress' | 'status'>): string {
  const { eventsDone, eventsTotal } = b.progress;
  const pct = eventsTotal > 0 ? Math.floor((eventsDone / eventsTotal) * 100) : 100;
  return `${eventsDone} of ${eventsTotal} events (${pct}%)`;
}

function Table(p: { caption: string; head: string[]; rows: (string | number | unknown)[][]; empty: string }) {
  if (!p.rows.length) return <p class="muted">{p.empty}</p>;
  return (
    <div class="table-wrap">
      {/* Stacked on a phone: each row a card, each cell labelled with its column. */}
      <table class="stack">
        <caption>{p.caption}</caption>
        <thead>
          <tr>{p.head.map((h) => <th scope="col">{h}</th>)}</tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              {r.map((cell, i) =>
                i === 0 ? (
                  <th scope="row" data-label={p.head[0]}>{cell as any}</th>
                ) : (
                  <td data-label={p.head[i]} class={typeof cell === 'number' ? 'num' : undefined}>{cell as any}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Events(p: { r: Report }) {
  const e = p.r.events;
  const rows = [
    { label: 'Exact', value: e.exact, color: '#1b7a43', note: 'facts stored with the event' },
    { label: 'Approximate', value: e.approximate, color: '#c28a00', note: 'facts read today' },
    { label: 'Skipped', value: e.skipped, color: '#8a96a3', note: 'participant gone' },
    { label: 'Failed', value: e.failed, color: '#b3261e', note: 'candidate cannot evaluate' },
    { label: 'Changed', value: e.changed, color: '#3451b2', note: 'other rules or rewards' },
  ];
  return (
    <section class="card" aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      <p>
        {e.replayed} events replayed; <strong>{e.changed} changed</strong>. {e.approximate > 0 && <>{e.approximate} replayed approximately, with what is known today (stored before facts were kept, or the candidate reads a fact the event did not).</>}
      </p>
      <div class="chart-narrow">
        <CategoryBars id="events-chart" title="How the events replayed" desc={rows.map((r) => `${r.label}: ${r.value}`).join('; ') + '.'} rows={rows.map(({ label, value, color }) => ({ label, value, color }))} labelWidth={112} />
      </div>
      <ChartTable summary="Events as a table" caption="How the events replayed" head={['Events', 'Count', 'Meaning']} rows={rows.map((r) => [r.label, r.value, r.note])} />
    </section>
  );
}

function Rewards(p: { r: Report }) {
  const { byKind, totals } = p.r.rewards;
  return (
    <section class="card" aria-labelledby="rewards-heading">
      <h2 id="rewards-heading">Rewards</h2>
      <Table
        caption="Rewards added and removed, by kind and currency"
        head={['Kind', 'Currency', 'Added', 'Added value', 'Removed', 'Removed value', 'Net']}
        rows={byKind.map((k) => [kindWords(k.kind), k.currency, k.addedCount, money(k.addedMinor, k.currency), k.removedCount, money(k.removedMinor, k.currency), signed(k.netMinor, k.currency)])}
        empty="No reward would be added or removed."
      />
      {totals.length > 0 && (
        <Table caption="Totals per currency" head={['Currency', 'Added', 'Removed', 'Net']} rows={totals.map((t) => [t.currency, money(t.addedMinor, t.currency), money(t.removedMinor, t.currency), signed(t.netMinor, t.currency)])} empty="" />
      )}
      <Table caption="Rules: how often each fired" head={['Rule', 'Fired before', 'Would fire']} rows={p.r.rules.map((r) => [r.rule, r.firedBefore, r.firedAfter])} empty="No rule fired before or would fire." />
    </section>
  );
}

function People(p: { r: Report }) {
  const x = p.r.participants;
  const w = p.r.w9;
  const crossing = (list: Report['w9']['wouldCross']) => list.map((c) => [<a href={participantPath(c.participantId)}>{c.participantId}</a>, c.year, money(c.actualCents, 'USD'), money(c.candidateCents, 'USD'), money(c.reportableFromCents, 'USD')]);
  return (
    <section class="card" aria-labelledby="people-heading">
      <h2 id="people-heading">Participants, W-9 and limits</h2>
      <p>
        <strong>{x.countIsLowerBound ? `At least ${x.count}` : x.count}</strong> participants affected.
        {x.list.length > 0 && <> {x.listTruncated ? `The first ${x.list.length}: ` : ''}</>}
      </p>
      {x.list.length > 0 && (
        <ul class="inline-list">
          {x.list.map((id) => (
            <li><a href={participantPath(id)}>{id}</a></li>
          ))}
        </ul>
      )}
      <h3>W-9 crossings</h3>
      <Table caption={`Would newly need a W-9 (${w.wouldCrossCount})`} head={['Participant', 'Tax year', 'Cash then', 'Cash with the candidate', 'Needs a W-9 from']} rows={crossing(w.wouldCross)} empty="No participant would newly cross the W-9 threshold." />
      <Table caption={`Would no longer need a W-9 (${w.wouldNoLongerCrossCount})`} head={['Participant', 'Tax year', 'Cash then', 'Cash with the candidate', 'Needs a W-9 from']} rows={crossing(w.wouldNoLongerCross)} empty="No participant would drop below the W-9 threshold." />
      {w.truncated && <p class="small">More than 1,000 participants’ tax years changed: the lists above are not complete.</p>}
      <h3>Limits</h3>
      <Table caption="Rewards the program’s limits would stop" head={['Limit', 'Would stop', 'Stopped then']} rows={p.r.limits.map((l) => [l.name, l.wouldStop, l.stoppedActually])} empty="The program has no limits." />
      {p.r.limitsSimulationTruncated && <p class="small">The limits’ simulation stopped early: the counts are a lower bound.</p>}
    </section>
  );
}

function RewardList(p: { label: string; rewards: SampleReward[] }) {
  if (!p.rewards.length) return null;
  return (
    <p class="small">
      {p.label}: {p.rewards.map((r) => `${r.kind === 'percent_discount' ? `${r.amountMinor / 100}%` : money(r.amountMinor, r.currency)} ${kindWords(r.kind)} to ${r.participantId} (rule ${r.rule})`).join('; ')}
    </p>
  );
}

function Side(p: { heading: string; fired: string[]; rules: unknown; note?: string }) {
  return (
    <div class="side">
      <h4>{p.heading}</h4>
      <p>{p.fired.length ? <>Fired: {p.fired.join(', ')}</> : 'No rule fired.'}</p>
      {Array.isArray(p.rules) ? <Explanations rules={p.rules as RuleExplanation[]} /> : <p class="muted small">{p.note ?? 'No explanation kept.'}</p>}
    </div>
  );
}

function Sample(p: { r: Report }) {
  return (
    <section class="card" aria-labelledby="sample-heading">
      <h2 id="sample-heading">Changed events (sample)</h2>
      {p.r.sample.length === 0 ? (
        <p class="muted">No event changed.</p>
      ) : (
        <>
          <p class="small muted">Up to 20 changed events, each with what fired then and what the candidate would fire, and why.</p>
          {p.r.sample.map((s) => (
            <details class="sample">
              <summary>
                Event <code>{s.eventId}</code> ({s.type}) of {s.participantId}, {when(s.occurredAt)} {s.exact ? <Badge tone="ok">exact</Badge> : <Badge tone="warn">approximate</Badge>}
              </summary>
              <RewardList label="Added" rewards={s.added} />
              <RewardList label="Removed" rewards={s.removed} />
              <div class="sides">
                <Side heading={`Then (${s.before.version === null ? 'no version' : `version ${s.before.version}`})`} fired={s.before.fired} rules={s.before.rules} note={s.before.note} />
                <Side heading="With the candidate" fired={s.after.fired} rules={s.after.rules} note={s.after.note} />
              </div>
            </details>
          ))}
        </>
      )}
      {p.r.failures.length > 0 && (
        <>
          <h3>Events the candidate cannot evaluate</h3>
          <Table caption="The first failures" head={['Event', 'Where', 'Why']} rows={p.r.failures.map((f) => [f.eventId, f.pointer, withOperatorWords(f.message)])} empty="" />
        </>
      )}
    </section>
  );
}

export function BacktestReport(p: { report: Report }) {
  return (
    <>
      <Events r={p.report} />
      <Rewards r={p.report} />
      <People r={p.report} />
      <Sample r={p.report} />
    </>
  );
}
