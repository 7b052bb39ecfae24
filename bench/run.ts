import { runEvaluateBench } from './evaluate-bench.ts';
import { printEventsRows, runEventsBench } from './events-bench.ts';
import { printRuleCount, runRuleCountBench } from './rule-count-bench.ts';
import { printLimitsRows, runLimitsBench } from './limits-bench.ts';
import { printStartup, runStartupBench } from './startup-bench.ts';
import { runMailBench } from './mail-bench.ts';
import { runHostileTemplatesBench } from './hostile-templates-bench.ts';
import { printHostileRows as printEvaluationAttackRows, runHostileEvaluationBench } from './hostile-evaluation-bench.ts';
import { runFairnessBench } from './fairness-bench.ts';
import { printRows } from './measure.ts';
import { printHostileRows, runHostileBench } from './hostile-bench.ts';
import { printBacktest, runBacktestBench } from './backtest-bench.ts';
import { printEventSumRows, runEventSumBench } from './event-sum-bench.ts';

// `npm run bench`: every figure is a ratio against a baseline measured in the
// same run on the same inputs, because absolute rates move with the machine.
console.log(`advocate-rules benchmarks, Node ${process.version}, ${new Date().toISOString()}`);

printRows('Rule evaluation: compiled rules vs json-rules-engine 7.3.1 (cached Engine)', await runEvaluateBench());
printEventsRows(await runEventsBench());
printRuleCount(await runRuleCountBench());
printLimitsRows(await runLimitsBench());
printEventSumRows(await runEventSumBench());
printStartup(await runStartupBench());
printBacktest(await runBacktestBench());
printRows('Email delivery: outbox + dispatcher vs nodemailer sending directly (pooled), to a local SMTP sink', await runMailBench());

printHostileRows('Hostile tenant: /health latency on the real Node server (own process, SQLite) while one attack at a time repeats', await runHostileBench());
printRows('Hostile tenant: /health while one tenant sends template bombs to the preview, over HTTP on loopback', await runHostileTemplatesBench());
printEvaluationAttackRows(await runHostileEvaluationBench());
console.log("\nfairness: other tenants' email delay while one tenant's own SMTP server is slow (dispatcher claims per tenant, round-robin)");
console.table(await runFairnessBench());
