/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

// Charts drawn on the server as inline SVG: no script, no library, no build
// step, the same bytes on Node, Deno and Workers. Each is an image with a
// title and a description for screen readers (role="img", aria-labelledby),
// a tooltip per bar (<title>), and the numbers as a table beside it.

const W = 400;
const H = 150;
const PAD = { top: 10, right: 8, bottom: 26, left: 34 };

export type Series = { name: string; color: string; values: number[] };

/** A rounded-up axis maximum (1, 2, 4, 5 × 10ⁿ) so gridlines land on readable numbers. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 4, 5, 10].find((m) => m * power >= max) ?? 10) * power;
}

const shortDay = (iso: string) => `${Number(iso.slice(5, 7))}/${Number(iso.slice(8, 10))}`;

/** Bars per day, stacked when there are several series (emails: sent, failed, suppressed). */
export function DayBars(p: { id: string; title: string; desc: string; days: string[]; series: Series[]; unit: string }) {
  const totals = p.days.map((_, i) => p.series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, p.days.length);
  const barW = Math.max(1, step * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  // Counts are whole: a halfway line only where it falls on a whole number.
  const ticks = max % 2 === 0 ? [0, max / 2, max] : [0, max];
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${p.id}-title ${p.id}-desc`} id={p.id}>
      <title id={`${p.id}-title`}>{p.title}</title>
      <desc id={`${p.id}-desc`}>{p.desc}</desc>
      {ticks.map((t) => (
        <g>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} class="grid-line" />
          <text x={PAD.left - 5} y={y(t) + 4.5} text-anchor="end" class="tick">{t}</text>
        </g>
      ))}
      {p.days.map((day, i) => {
        let base = 0;
        const x = PAD.left + i * step + (step - barW) / 2;
        const tip = `${day}: ${p.series.map((s) => `${s.values[i] ?? 0} ${p.series.length > 1 ? s.name : p.unit}`).join(', ')}`;
        return (
          <g>
            <title>{tip}</title>
            {p.series.map((s) => {
              const v = s.values[i] ?? 0;
              if (v <= 0) return null;
              const top = y(base + v);
              const h = y(base) - top;
              base += v;
              return <rect x={x.toFixed(1)} y={top.toFixed(1)} width={barW.toFixed(1)} height={Math.max(0.5, h).toFixed(1)} fill={s.color} />;
            })}
          </g>
        );
      })}
      {[0, Math.floor((p.days.length - 1) / 2), p.days.length - 1].map((i) =>
        p.days[i] ? (
          <text x={Math.min(W - 18, Math.max(PAD.left + 12, PAD.left + i * step + step / 2))} y={H - 7} text-anchor="middle" class="tick">{shortDay(p.days[i]!)}</text>
        ) : null,
      )}
    </svg>
  );
}

/** One horizontal bar per category (rewards by status), the count written at its end. */
export function CategoryBars(p: { id: string; title: string; desc: string; rows: { label: string; value: number; color: string; note?: string }[]; labelWidth?: number }) {
  const rowH = 30;
  const labelW = p.labelWidth ?? 92;
  const height = p.rows.length * rowH + 6;
  const max = niceMax(Math.max(0, ...p.rows.map((r) => r.value)));
  const barSpace = W - labelW - 130;
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby={`${p.id}-title ${p.id}-desc`} id={p.id}>
      <title id={`${p.id}-title`}>{p.title}</title>
      <desc id={`${p.id}-desc`}>{p.desc}</desc>
      {p.rows.map((r, i) => {
        const w = (r.value / max) * barSpace;
        const yTop = 4 + i * rowH;
        return (
          <g>
            <title>{`${r.label}: ${r.value}${r.note ? ` (${r.note})` : ''}`}</title>
            <text x={labelW - 6} y={yTop + 18} text-anchor="end" class="label">{r.label}</text>
            <rect x={labelW} y={yTop + 4} width={Math.max(r.value > 0 ? 1 : 0, w).toFixed(1)} height={rowH - 8} fill={r.color} rx="2" />
            <text x={labelW + w + 6} y={yTop + 18} class="value">{r.note ? `${r.value} · ${r.note}` : String(r.value)}</text>
          </g>
        );
      })}
    </svg>
  );
}

/** The colour key of a chart, in HTML so it wraps on a phone. */
export function Legend(p: { series: { name: string; color: string }[] }) {
  return (
    <ul class="legend" aria-hidden="true">
      {p.series.map((s) => (
        <li><span class="swatch" style={`background:${s.color}`}></span>{s.name}</li>
      ))}
    </ul>
  );
}

/** The chart's numbers as a table, folded under it: the accessible and copyable form of the same data. */
export function ChartTable(p: { summary: string; caption: string; head: string[]; rows: Child[][] }) {
  return (
    <details class="chart-data">
      <summary>{p.summary}</summary>
      <div class="table-wrap">
        <table>
          <caption>{p.caption}</caption>
          <thead>
            <tr>{p.head.map((h) => <th scope="col">{h}</th>)}</tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr>{r.map((cell, i) => (i === 0 ? <th scope="row">{cell}</th> : <td class="num">{cell}</td>))}</tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
