import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig, ConfigError } from './config.ts';
import { withLocalSecrets } from './node/local-secrets.ts';
import { buildNodeServices, openStore } from './node/node-services.ts';
import { migrateOrExplain, StartupError } from './boot.ts';
import { generateSecretKey } from './security/secret-box.ts';
import { rewrapSecrets } from './services/rewrap-service.ts';
import { createTenant } from './services/tenant-service.ts';
import { validateRuleset } from '../rules/validate.ts';
import { compileRuleset } from '../rules/compile.ts';
import { explain } from '../rules/explain.ts';
import { EvaluationError } from '../rules/evaluate.ts';
import { factsUsed, type FactValues } from '../rules/facts.ts';
import { historyQueryOf } from '../rules/history-facts.ts';
import { DEFAULT_TEMPLATES } from '../plugins/mail/templates/default-templates.ts';
import { normalizeSettings } from './services/program-settings.ts';

export const HELP = `advocate-rules: referral rules engine

Usage:
  advocate-rules <command> [options]        (or: npm run cli -- <command> …)

Commands:
  migrate                                   Create or upgrade the database schema (DATABASE_URL)
  tenants create <name>                     Create a tenant; prints its id, API key and webhook secret once
  rules validate <file> [--templates a,b]   Check a rules file ({"rules": [...]}); errors carry JSON pointers
  rules test <file> --event <json-file> [--participant <json-file>] [--stats <json-file>]
                                            Dry run: which rules fire and why, without a database
  secrets rewrap                            Re-encrypt every stored secret under the current SECRET_KEY, so
                                            the keys in SECRET_KEY_PREVIOUS can be removed afterwards
  secret-key                                Print a fresh random key (32 bytes, base64url) for SECRET_KEY,
                                            ADMIN_TOKEN or METRICS_TOKEN
  help                                      Show this help

Exit codes: 0 success, 1 invalid rules or failed command, 2 bad usage.
Environment: DATABASE_URL (default sqlite:./data/advocate.db), SECRET_KEY, ADMIN_TOKEN (generated in ./data for local SQLite).
The server: \`npm start\` (local, from the sources) or \`npm run build && npm run serve\` (production, node dist/node.js).`;

function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

class UsageError extends Error {}

function validateFile(file: string, extraTemplates: string[]) {
  const known = new Set([...Object.keys(DEFAULT_TEMPLATES), ...extraTemplates]);
  return validateRuleset(readJsonFile(file, 'rules file'), { templateExists: (key) => known.has(key) });
}

function printIssues(file: string, issues: { pointer: string; message: string }[]) {
  for (const i of issues) console.error(`${file}#${i.pointer}: ${i.message}`);
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      event: { type: 'string' },
      participant: { type: 'string' },
      stats: { type: 'string' },
      templates: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (command === 'secrets' && sub === 'rewrap') {
    const services = await buildNodeServices(parseConfig(withLocalSecrets(process.env), { sendsNoMail: true }));
    try {
      const r = await rewrapSecrets(services);
      console.log(`re-encrypted ${r.rewrapped} secret(s) under key ${r.keyId}; ${r.alreadyCurrent} already under it` + (r.changedMeanwhile ? `; ${r.changedMeanwhile} changed meanwhile (run again)` : ''));
      return r.changedMeanwhile ? 1 : 0;
    } finally {
      await services.store.db.destroy();
    }
  }
  if (command === 'secret-key') {
    console.log(generateSecretKey());
    return 0;
  }
  if (command === 'migrate') {
    const env = withLocalSecrets(process.env);
    const store = openStore(env.DATABASE_URL || 'sqlite:./data/advocate.db');
    const applied = await migrateOrExplain(store, env.DATABASE_URL || 'sqlite:./data/advocate.db');
    await store.db.destroy();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    return 0;
  }
  if (command === 'tenants' && sub === 'create' && arg) {
    const services = await buildNodeServices(parseConfig(withLocalSecrets(process.env), { sendsNoMail: true }));
    const tenant = await createTenant(services, arg);
    await services.store.db.destroy();
    console.log(JSON.stringify(tenant, null, 2));
    return 0;
  }
  if (command === 'rules' && sub === 'validate' && arg) {
    const result = validateFile(arg, values.templates?.split(',') ?? []);
    if (!result.ok) {
      printIssues(arg, result.issues);
      return 1;
    }
    console.log(`${arg}: ${result.ruleset.rules.length} rule(s), valid`);
    return 0;
  }
  if (command === 'rules' && sub === 'test' && arg) {
    if (!values.event) throw new UsageError('rules test needs --event <json-file>');
    const result = validateFile(arg, values.templates?.split(',') ?? []);
    if (!result.ok) {
      printIssues(arg, result.issues);
      return 1;
    }
    const event = readJsonFile(values.event, 'event') as { type?: string; data?: object; occurredAt?: string };
    const participant = values.participant ? (readJsonFile(values.participant, 'participant') as Record<string, unknown>) : {};
    const now = new Date().toISOString();
    const facts: FactValues = {
      event: { type: event.type ?? '', data: event.data ?? {}, occurredAt: event.occurredAt ?? now },
      participant: { id: 'dry-run', email: 'dry-run@example.com', w9OnFile: false, payoutInfoComplete: false, emailVerified: false, ...participant },
      referrer: (participant.referrer as object | undefined) ?? null,
      stats: values.stats ? (readJsonFile(values.stats, 'stats') as Record<string, unknown>) : { rewardCount: 0, cashRewardsThisYear: 0, referralCount: 0, w9Required: false },
      program: { id: 'dry-run', name: 'dry run', settings: normalizeSettings({}) },
      now,
      // Offline there is no history: every history fact a rule asks reads as a new participant's, 0.
      ...Object.fromEntries([...factsUsed(result.ruleset)].filter((key) => historyQueryOf(key) !== null).map((key) => [key, 0])),
    };
    let rules;
    try {
      rules = explain(compileRuleset(result.ruleset), facts);
    } catch (error) {
      // A comparison that cannot run, or a run past its budget: named like a validation issue, exit 1.
      if (!(error instanceof EvaluationError)) throw error;
      printIssues(arg, [{ pointer: error.pointer, message: `evaluation_failed: ${error.message}` }]);
      return 1;
    }
    console.log(JSON.stringify({ fired: rules.filter((r) => r.fired).map((r) => ({ rule: r.name, action: r.action.type })), rules }, null, 2));
    return 0;
  }
  throw new UsageError(`unknown command: ${positionals.join(' ')}`);
}

const isEntry = process.argv[1] && /cli\.[jt]s$|advocate-rules(\.js)?$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof UsageError || error instanceof ConfigError || error instanceof StartupError) {
        console.error(error.message);
        if (error instanceof UsageError) console.error('Run with --help for usage.');
        process.exit(error instanceof UsageError ? 2 : 1);
      }
      console.error(error);
      process.exit(1);
    },
  );
}
