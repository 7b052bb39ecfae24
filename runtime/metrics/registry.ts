// A small metrics registry with the Prometheus text format (version 0.0.4).
// Why our own: prom-client, the well-kept Node client, reaches for Node's
// process, cluster and perf_hooks modules and does not load on Workers, and
// the app runs unchanged on Node, Deno and Workers. Counters and histograms
// are all we need; gauges (outbox depth and age) are read from the database at
// scrape time, so every instance reports the same truth.
// Label values come from our own code (outcomes, failure classes), never from
// tenant input, so the number of series stays bounded.

export type Labels = Record<string, string>;
export type Counter = { inc(labels?: Labels, by?: number): void };
export type Histogram = { observe(value: number, labels?: Labels): void };
/** A value computed at scrape time: one line per label set. */
export type GaugeSample = { name: string; help: string; samples: { labels?: Labels; value: number }[] };

export type Registry = {
  counter(name: string, help: string): Counter;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  /** The whole exposition, with `gauges` appended. */
  render(gauges?: GaugeSample[]): string;
};

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels = {}) => {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}` : '';
};
const number = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

type Family = { lines(): string[] };

export function createRegistry(): Registry {
  const families: Family[] = [];
  return {
    counter(name, help) {
      const values = new Map<string, number>();
      families.push({
        lines: () => [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...[...values].map(([labels, v]) => `${name}${labels} ${number(v)}`)],
      });
      return {
        inc(labels, by = 1) {
          const key = labelText(labels);
          values.set(key, (values.get(key) ?? 0) + by);
        },
      };
    },
    histogram(name, help, buckets) {
      const sorted = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
      families.push({
        lines: () => {
          const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
          for (const s of series.values()) {
            sorted.forEach((le, i) => out.push(`${name}_bucket${labelText({ ...s.labels, le: number(le) })} ${s.counts[i]}`));
            out.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
            out.push(`${name}_sum${labelText(s.labels)} ${number(s.sum)}`, `${name}_count${labelText(s.labels)} ${s.count}`);
          }
          return out;
        },
      });
      return {
        observe(value, labels = {}) {
          const key = labelText(labels);
          let s = series.get(key);
          if (!s) series.set(key, (s = { labels, counts: sorted.map(() => 0), sum: 0, count: 0 }));
          sorted.forEach((le, i) => {
            if (value <= le) s.counts[i]++;
          });
          s.sum += value;
          s.count++;
        },
      };
    },
    render(gauges = []) {
      const lines = families.flatMap((f) => f.lines());
      for (const g of gauges) {
        lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, ...g.samples.map((s) => `${g.name}${labelText(s.labels)} ${number(s.value)}`));
      }
      return lines.join('\n') + '\n';
    },
  };
}
