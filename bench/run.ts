import { runEvaluateBench } from './evaluate-bench.ts';
import { printEventsRows, runEventsBench } from './events-bench.ts';
import { printRuleCount, runRuleCountBench } from './rule-count-bench.ts';
import { printStartup, runStartupBench } from './startup-bench.ts';
import { runMailBench } from './mail-bench.ts';
import { printRows } from './measure.ts';

// `npm run bench`: every figure is a ratio against a baseline measured in the
// same run on the same inputs, because absolute rates move with the machine.
console.log(`advocate-rules benchmarks, Node ${process.version}, ${new Date().toISOString()}`);

printRows('Rule evaluation: compiled rules vs json-rules-engine 7.3.1 (cached Engine)', await runEvaluateBench());
printEventsRows(await runEventsBench());
printRuleCount(await runRuleCountBench());
printStartup(await runStartupBench());
printRows('Email delivery: outbox + dispatcher vs nodemailer sending directly (pooled), to a local SMTP sink', await runMailBench());
