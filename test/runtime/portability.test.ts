import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// What keeps one codebase running on Node, Deno and Workers: the core names
// no runtime, and the Worker builds small and without code generation.

const root = new URL('../..', import.meta.url).pathname;

/** The adapters: the only places that may name a runtime (plus the nodemailer SMTP transport). */
const ADAPTERS = [
  /^runtime\/(node|deno|worker|cli)\.ts$/,
  /^runtime\/(node|deno|workers)\//,
  /^runtime\/dns\/node-resolver\.ts$/,
  /^runtime\/store\/dialects\/(sqlite|postgres)-dialect\.ts$/,
  /^plugins\/mail\/transports\/smtp-transport\.ts$/,
];
const RUNTIME_SPECIFIC = /from\s+['"](node:|cloudflare:)|import\(\s*['"](node:|cloudflare:)|\bDeno\.|\bprocess\.(env|argv|exit)|\bBuffer\.|\brequire\(/;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('the core', () => {
  it('imports no runtime-specific module and uses no runtime global outside the adapters', () => {
    const core = ['rules', 'plugins', 'migrations', 'runtime', 'client'].flatMap(sources).filter((path) => !ADAPTERS.some((adapter) => adapter.test(path)));
    expect(core.length).toBeGreaterThan(50);
    const offenders = core.filter((path) =>
      readFileSync(join(root, path), 'utf8')
        .split('\n')
        .some((line) => !/^\s*(\/\/|\*)/.test(line) && RUNTIME_SPECIFIC.test(line)),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the Worker bundle', () => {
  // 384 KiB: about 295 of code (the console's pages are most of the growth),
  // and the disposable-email-domains blocklist the referral checks look domains
  // up in (8,900 domains, ~50 KiB gzipped). Workers allow 3 MiB on the free
  // plan; the budget is ours, to notice what a change adds to every cold start.
  it('builds with `wrangler deploy --dry-run`, stays under 384 KiB gzipped and contains no eval', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'advocate-bundle-'));
    const wrangler = join(root, 'node_modules/wrangler/bin/wrangler.js');
    await promisify(execFile)(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir], { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    const bundle = readFileSync(join(outdir, 'worker.js'));
    const gzipped = gzipSync(bundle).length;
    console.info(`Worker bundle: ${(bundle.length / 1024).toFixed(0)} KiB, ${(gzipped / 1024).toFixed(0)} KiB gzipped (${outdir})`);
    expect(gzipped).toBeLessThan(384 * 1024);
    // workerd refuses code generation from strings at run time; keep it out of the bundle too.
    expect(bundle.toString('utf8')).not.toMatch(/(^|[^\w$.])eval\(|new Function\(/);
  }, 60_000);
});
