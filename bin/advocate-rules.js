#!/usr/bin/env node
// The installed command: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../runtime/cli.ts');
