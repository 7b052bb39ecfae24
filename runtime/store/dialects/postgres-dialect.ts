import { PostgresDialect } from 'kysely';
import pg from 'pg';

// Statements the service runs again and again go to PostgreSQL as named
// prepared statements, so the server parses and plans each once per
// connection instead of once per run (the bare baseline in bench/ does the
// same with pg's `name`). Kysely calls `client.query(text, values)`; the
// pool's clients name a text once it has come a second time. Only texts with
// parameters: those go over the extended protocol already, where a text is
// one statement (a parameterless text may be a script of several, as the
// migrations send). The names are bounded, so SQL built from varying shapes
// (an `in` list of any length) stops getting names rather than growing.
const MAX_NAMED = 1000;

type Query = (...args: unknown[]) => unknown;

function namer() {
  const names = new Map<string, string>();
  const seen = new Set<string>();
  return (text: string): string | undefined => {
    const name = names.get(text);
    if (name || names.size >= MAX_NAMED) return name;
    if (!seen.has(text)) {
      if (seen.size < MAX_NAMED * 4) seen.add(text);
      return undefined;
    }
    const assigned = `ar${names.size}`;
    names.set(text, assigned);
    return assigned;
  };
}

export function createPostgresDialect(connectionString: string, max = 10): PostgresDialect {
  const pool = new pg.Pool({ connectionString, max });
  const nameOf = namer();
  const patched = new WeakSet<object>();
  pool.on('connect', (client) => {
    if (patched.has(client)) return;
    patched.add(client);
    const query = client.query.bind(client) as Query;
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
        const name = nameOf(text);
        if (name) return query({ name, text, values });
      }
      return query(...args);
    };
  });
  return new PostgresDialect({ pool });
}
