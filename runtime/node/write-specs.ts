import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../openapi/document.ts';
import { rulesJsonSchema } from '../../rules/json-schema.ts';

// `npm run openapi`: writes the generated descriptions where readers and tools
// find them without a running server; a test fails when they are stale.

const root = new URL('../../', import.meta.url);
const write = (path: string, value: unknown) => writeFileSync(new URL(path, root), JSON.stringify(value, null, 2) + '\n');
write('docs/openapi.json', openApiDocument());
write('docs/rules.schema.json', rulesJsonSchema());
console.log('wrote docs/openapi.json and docs/rules.schema.json');
