#!/usr/bin/env node
// The installed command: the built CLI (`npm run build`) when there is one, so
// production needs no TypeScript tooling; otherwise the sources through tsx.
// ADVOCATE_RULES_FROM_SOURCE=1 runs the sources even when a build exists (the
// tests, which must exercise the code they sit beside, not an older bundle).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
if (existsSync(built) && !process.env.ADVOCATE_RULES_FROM_SOURCE) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../runtime/cli.ts');
}
