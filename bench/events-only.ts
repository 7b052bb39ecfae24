import { printEventsRows, runEventsBench } from './events-bench.ts';

// `npm run bench:events`: only the events table of `npm run bench` (the same
// knobs: BENCH_DATABASES, BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_ROUND_MS,
// BENCH_PARTICIPANTS, BENCH_PROFILE), for a quick look at the live path.
printEventsRows(await runEventsBench());
