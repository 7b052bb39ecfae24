#!/usr/bin/env node
// The installed command: the built CLI (`npm run build`) when there is one, so
// production needs no TypeScript tooling; otherwise the sources through tsx.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../runtime/cli.ts');
}
