// Rates are measured for a fixed wall-clock budget, after a warm-up, and
// always next to a baseline taken in the same process and run: absolute
// numbers vary with the machine, ratios much less.

export type Row = { name: string; opsPerSec: number; baselineOpsPerSec: number; ratio: number; note?: string };

export async function rate(fn: () => unknown | Promise<unknown>, budgetMs = 1000, warmupMs = 200): Promise<number> {
  const until = (ms: number) => performance.now() + ms;
  for (const end = until(warmupMs); performance.now() < end; ) await fn();
  let n = 0;
  const start = performance.now();
  const end = start + budgetMs;
  while (performance.now() < end) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

export function row(name: string, ops: number, baseline: number, note?: string): Row {
  // Two decimals: near 1 (the mail table) a tenth hid the difference (0.97 printed as 1.0).
  return { name, opsPerSec: Math.round(ops), baselineOpsPerSec: Math.round(baseline), ratio: Math.round((ops / baseline) * 100) / 100, ...(note ? { note } : {}) };
}

export function printRows(title: string, rows: Row[]) {
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => ({
      benchmark: r.name,
      'ours/s': Math.round(r.opsPerSec),
      'baseline/s': Math.round(r.baselineOpsPerSec),
      ratio: `${Math.round(r.ratio * 100) / 100}x`,
      ...(r.note ? { note: r.note } : {}),
    })),
  );
}
