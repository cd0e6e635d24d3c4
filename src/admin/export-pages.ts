// Walks every event of a source newest first by `until` pages (NIP-01 order), without losing the events
// that share the boundary second: each boundary second is read whole before moving below it.
import type { NostrEvent, NostrFilter } from '../nostr/types.js';

export interface PageSource {
  /** events matching the filter, newest first, at most filter.limit */
  query(filter: NostrFilter): Promise<NostrEvent[]>;
}

export interface ExportStats {
  events: number;
  /** seconds with more events than one page could return (some may be missing: only with a capped source) */
  truncatedSeconds: number;
}

/**
 * `secondLimit`: the limit of the query for one whole second (undefined: no limit, for the local store;
 * for a server, its NIP-11 max_limit: a second holding that many events may be cut short).
 */
export async function exportAll(src: PageSource, pageSize: number, emit: (e: NostrEvent) => void, secondLimit?: number): Promise<ExportStats> {
  const stats: ExportStats = { events: 0, truncatedSeconds: 0 };
  let until: number | undefined;
  for (;;) {
    const page = await src.query({ ...(until !== undefined ? { until } : {}), limit: pageSize });
    if (page.length === 0) return stats;
    const oldest = Math.min(...page.map((e) => e.created_at));
    const emitted = new Set<string>();
    for (const e of page) {
      if (e.created_at > oldest) {
        emit(e);
        emitted.add(e.id);
        stats.events++;
      }
    }
    // the oldest second of the page may continue beyond it: read that second on its own
    const second = await src.query({ since: oldest, until: oldest, ...(secondLimit !== undefined ? { limit: secondLimit } : {}) });
    if (secondLimit !== undefined && second.length >= secondLimit) stats.truncatedSeconds++;
    for (const e of second) {
      if (emitted.has(e.id) || e.created_at !== oldest) continue;
      emit(e);
      stats.events++;
    }
    if (page.length < pageSize || oldest === 0) return stats;
    until = oldest - 1;
  }
}
