import { runEvaluateBench } from './evaluate-bench.ts';
import { runEventsBench } from './events-bench.ts';
import { runMailBench } from './mail-bench.ts';
import { runFairnessBench } from './fairness-bench.ts';
import { printRows } from './measure.ts';

// `npm run bench`: every figure is a ratio against a baseline measured in the
// same run on the same inputs, because absolute rates move with the machine.
console.log(`advocate-rules benchmarks, Node ${process.version}, ${new Date().toISOString()}`);

printRows('Rule evaluation: compiled rules vs json-rules-engine 7.3.1 (cached Engine)', await runEvaluateBench());

const events = await runEventsBench();
printRows('Events through POST /v1/programs/:id/events: compiled rules vs json-rules-engine in the same path', events.rows);
console.log('Where one event spends its time (mean ms, compiled path):', events.phases);

printRows('Email delivery: outbox + dispatcher vs nodemailer sending directly (pooled), to a local SMTP sink', await runMailBench());

console.log("\nfairness: other tenants' email delay while one tenant's own SMTP server is slow (dispatcher claims per tenant, round-robin)");
console.table(await runFairnessBench());
