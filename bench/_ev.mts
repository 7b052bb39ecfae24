import { runEventsBench } from './events-bench.ts';
const rows = await runEventsBench();
for (const r of rows) console.log(r.database, r.concurrency, 'ours', r.ours.eventsPerSec.toFixed(0), 'bare', r.bare.eventsPerSec.toFixed(0), 'ratio', (r.ours.eventsPerSec / r.bare.eventsPerSec).toFixed(2), 'cpu', (r.ours.cpuMsPerEvent / r.bare.cpuMsPerEvent).toFixed(2), 'ms', r.ours.cpuMsPerEvent.toFixed(3), r.bare.cpuMsPerEvent.toFixed(3), 'err', r.ours.errors, r.bare.errors);
