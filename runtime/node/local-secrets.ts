import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSecretKey } from '../security/secret-box.ts';
import { randomToken } from '../security/hashing.ts';

/**
 * Local use needs no configuration: on the embedded SQLite database a missing
 * SECRET_KEY or ADMIN_TOKEN is generated once and kept beside the database
 * (mode 0600), so restarts can still open sealed secrets. In any other setup
 * they must be given.
 */
export function withLocalSecrets(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const url = env.DATABASE_URL || 'sqlite:./data/advocate.db';
  if (!url.startsWith('sqlite:') || url === 'sqlite::memory:') return env;
  const folder = dirname(url.slice('sqlite:'.length));
  const keep = (name: string, file: string, make: () => string) => {
    if (env[name]) return env[name];
    const path = join(folder, file);
    if (!existsSync(path)) {
      mkdirSync(folder, { recursive: true });
      writeFileSync(path, make() + '\n', { mode: 0o600 });
    }
    return readFileSync(path, 'utf8').trim();
  };
  return {
    ...env,
    SECRET_KEY: keep('SECRET_KEY', 'secret-key', generateSecretKey),
    ADMIN_TOKEN: keep('ADMIN_TOKEN', 'admin-token', () => `adm_${randomToken(24)}`),
  };
}
