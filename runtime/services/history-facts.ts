import type { Db, DialectName } from '../store/store.ts';
import { countEvents, countReferrals, sumEventValues, sumRewards } from '../store/history-queries.ts';
import { EVENT_SUM_MAX_BYTES, EVENT_SUM_MAX_EVENTS, historyQueryOf, pathSegments } from '../../rules/history-facts.ts';

const DAY = 86_400_000;

/**
 * The values of the history facts a ruleset names (keys from factsUsed), one
 * query each; validation bounds their number per ruleset (MAX_HISTORY_FACTS).
 * Windows of `days` end at the event's moment; the event itself is not yet
 * stored, so `eventCount` counts the ones before it and `eventSum` adds
 * theirs (over the newest of them, within EVENT_SUM_MAX_EVENTS and
 * EVENT_SUM_MAX_BYTES).
 */
export async function loadHistoryFacts(
  db: Db,
  dialect: DialectName,
  keys: Iterable<string>,
  at: { tenantId: string; programId: string; participantId: string; occurredAt: string },
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const key of keys) {
    const q = historyQueryOf(key);
    if (!q) continue;
    const base = { tenantId: at.tenantId, programId: at.programId, participantId: at.participantId };
    const since = q.params.days !== undefined ? { since: new Date(Date.parse(at.occurredAt) - q.params.days * DAY).toISOString() } : {};
    if (q.fact === 'eventCount') out[key] = await countEvents(db, { ...base, ...since, ...(q.params.type !== undefined ? { type: q.params.type } : {}) });
    else if (q.fact === 'eventSum') out[key] = await sumEventValues(db, dialect, { ...base, ...since, type: q.params.type, path: pathSegments(q.params.path), limit: EVENT_SUM_MAX_EVENTS, maxBytes: EVENT_SUM_MAX_BYTES });
    else if (q.fact === 'referralCount') out[key] = await countReferrals(db, { ...base, ...since, ...(q.params.converted !== undefined ? { converted: q.params.converted } : {}) });
    else out[key] = await sumRewards(db, { ...base, ...since, ...(q.params.kind !== undefined ? { kind: q.params.kind } : {}), ...(q.params.currency !== undefined ? { currency: q.params.currency } : {}) });
  }
  return out;
}
