#!/usr/bin/env node
// `npm run build`: each long-running entry bundled into dist/ by esbuild, so
// production starts plain JavaScript with no TypeScript tooling (`npm run serve`
// = `node dist/node.js`). Runs after `npm ci --omit=dev`: esbuild is a direct
// dependency. The Worker is bundled by wrangler at `wrangler deploy`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const ENTRIES = {
  node: 'runtime/node.ts', // the server: `node dist/node.js`
  cli: 'runtime/cli.ts', // bin/advocate-rules.js runs it when present
  deno: 'runtime/deno.ts', // `deno run … dist/deno.js`
};

rmSync(`${root}dist`, { recursive: true, force: true });
const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native addon and a driver with optional native parts: loaded from node_modules at run time.
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // Bundled CommonJS packages (nodemailer) call require() for Node built-ins; ESM has none.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
console.log(`built ${Object.keys(ENTRIES).map((name) => `dist/${name}.js`).join(', ')} in ${Date.now() - started} ms`);
