import type { Db } from '../store/store.ts';
import { listTemplates } from '../store/program-queries.ts';
import type { TemplateSource } from '../../plugins/mail/templates/default-templates.ts';
import { readSwitches, type NotificationSwitches } from '../../plugins/mail/notification-switches.ts';
import { createLru } from '../lru.ts';

// The mail configuration an event composes with, kept per version: the
// templates under the templates_version the event read with its program
// (every template write on any instance moves it on, so it is a new key), the
// switches under their stored text. Read after the version, the templates are
// never older than it; a stale entry is simply never asked for.

const templates = createLru<string, ReadonlyMap<string, TemplateSource>>(1000);
const switches = createLru<string, NotificationSwitches>(1000);

export async function programTemplates(db: Db, tenantId: string, programId: string, stamp: string): Promise<ReadonlyMap<string, TemplateSource>> {
  const key = `${tenantId}\u0000${programId}\u0000${stamp}`;
  const hit = templates.get(key);
  if (hit) return hit;
  const rows = await listTemplates(db, tenantId, programId);
  return templates.set(key, new Map(rows.map((t) => [t.key, Object.freeze({ subject: t.subject, html: t.html, text: t.text })])));
}

export function notificationSwitches(stored: string | null): NotificationSwitches {
  const key = stored ?? '';
  return switches.get(key) ?? switches.set(key, Object.freeze(readSwitches(stored)));
}
