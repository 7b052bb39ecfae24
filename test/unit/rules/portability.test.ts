import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../../rules/', import.meta.url);
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => [f, readFileSync(new URL(f, dir), 'utf8')] as const);

// The engine must run unchanged on Node, Deno and Cloudflare Workers, and never turn rule text into code.
describe('rules/ stays portable and free of code generation', () => {
  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(5);
  });

  it.each(sources)('%s', (_file, text) => {
    expect(text).not.toMatch(/from ['"]node:|require\(/);
    expect(text).not.toMatch(/\beval\s*\(|new Function\b|\bFunction\s*\(/);
    expect(text).not.toMatch(/\bBuffer\b|\bprocess\./);
    expect(text).not.toMatch(/from ['"]json-rules-engine['"]|from ['"]jsonpath-plus['"]/);
    for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) expect(spec).toMatch(/\.ts$/);
  });
});
