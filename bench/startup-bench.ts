import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../runtime/node/free-port.ts';
import { generateSecretKey } from '../runtime/security/secret-box.ts';
import { startServer } from './processes.ts';

// Startup: time from spawn to the first 200 from /health, and resident
// memory a second later, idle. `npm start` runs TypeScript through tsx; a
// production start runs built JavaScript (`npm run build` → dist/node.js when
// the project has it, else the same esbuild bundle made here); the bare app
// is bench/bare-app.ts, through tsx and bundled the same way.

const ROOT = resolve(import.meta.dirname, '..');
const TRIES = 3;

export type StartupRow = { name: string; startMs: number; rssMb: number };

function bundle(entry: string, outDir: string): string {
  const out = join(outDir, `${entry.replace(/\W/g, '-')}.mjs`);
  // Dependencies stay in node_modules (better-sqlite3 is native); the output sits in node_modules/ so they resolve.
  execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), [entry, '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${out}`, '--log-level=warning'], { cwd: ROOT });
  return out;
}

async function measure(name: string, command: string, args: string[], env: Record<string, string>): Promise<StartupRow> {
  const starts: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'advocate-startup-'));
    const server = await startServer(command, args, { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ...env }, await freePort());
    starts.push(server.startMs);
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(server.rssMb());
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { name, startMs: median(starts), rssMb: median(rss) };
}

export async function runStartupBench(): Promise<StartupRow[]> {
  const env = { ADMIN_TOKEN: 'bench-admin-token-0123456789', SECRET_KEY: generateSecretKey() };
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const outDir = mkdtempSync(join(ROOT, 'node_modules', '.bench-build-'));
  try {
    let built: string;
    if (scripts.build) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
      built = join(ROOT, 'dist/node.js');
      if (!existsSync(built)) throw new Error('npm run build did not produce dist/node.js');
    } else {
      built = bundle('runtime/node.ts', outDir);
    }
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    return [
      await measure('server, npm start (tsx)', tsx, ['runtime/node.ts'], env),
      await measure(`server, built (${scripts.build ? 'npm run build' : 'esbuild bundle'})`, process.execPath, [built], env),
      await measure('bare Hono app, tsx', tsx, ['bench/bare-app.ts'], env),
      await measure('bare Hono app, esbuild bundle', process.execPath, [bundle('bench/bare-app.ts', outDir)], env),
    ];
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export function printStartup(rows: StartupRow[]) {
  console.log(`\nStartup: spawn to first /health 200, and RSS (process tree) idle 1 s later, median of ${TRIES}, fresh SQLite`);
  console.table(rows.map((r) => ({ start: r.name, 'first /health ms': Math.round(r.startMs), 'idle RSS MB': Math.round(r.rssMb) })));
}

if (import.meta.url === `file://${process.argv[1]}`) printStartup(await runStartupBench());
