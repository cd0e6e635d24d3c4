// REQ/EOSE `until` pagination for historic sync (SYNC.md "Live and historic", sync-study §9.1 item 7).
// Every delivered event counts, whatever our policy decided. `until` is inclusive, so boundary events
// come again (deduped by id); a full page all in one second switches to that exact second
// (since = until = t) and then moves below it — never loops, never skips silently; pages are capped.
import type { NostrFilter } from '../../nostr/types.js';
import type { RelayLimits } from './types.js';

export interface PageEvent {
  id: string;
  created_at: number;
}

export interface PageCursor {
  /** the historic filter without until/limit (may carry since) */
  base: NostrFilter;
  /** filter of the page just answered */
  filter: NostrFilter;
  /** pages answered so far (before this one) */
  pages: number;
  /** the normal page limit */
  limit: number;
  /** querying exactly one second (since = until = t) */
  second?: number;
}

export type PageDecision =
  | { type: 'done'; reason: 'notFull' | 'reachedSince'; truncated: false }
  | { type: 'done'; reason: 'maxPages' | 'secondOverflow'; truncated: true }
  | { type: 'next'; cursor: PageCursor };

export const DEFAULT_MAX_PAGES = 1000;

export function firstPage(base: NostrFilter, limit: number): PageCursor {
  return { base, filter: { ...base, limit }, pages: 0, limit };
}

/** A page is full when it reached what we asked, the remote's max_limit, or its default_limit. */
export function isFullPage(n: number, requested: number, remote: RelayLimits): boolean {
  if (n === 0) return false;
  const cap = Math.min(requested, remote.maxLimit ?? Infinity);
  return n >= cap || (remote.defaultLimit !== undefined && n === remote.defaultLimit);
}

export function decidePage(c: PageCursor, events: readonly PageEvent[], remote: RelayLimits, maxPages = DEFAULT_MAX_PAGES): PageDecision {
  const pages = c.pages + 1;
  const full = isFullPage(events.length, c.filter.limit ?? c.limit, remote);
  const limit = c.limit;
  const since = c.base.since ?? 0;
  if (c.second !== undefined) {
    // the whole second came back (or could not): continue strictly below it
    if (full) return { type: 'done', reason: 'secondOverflow', truncated: true };
    return below(c, c.second, pages, limit, maxPages, since);
  }
  if (!full) return { type: 'done', reason: 'notFull', truncated: false };
  let oldest = Infinity;
  let newest = -Infinity;
  for (const e of events) {
    oldest = Math.min(oldest, e.created_at);
    newest = Math.max(newest, e.created_at);
  }
  if (pages >= maxPages) return { type: 'done', reason: 'maxPages', truncated: true };
  if (oldest === newest) {
    // plateau: ask for exactly that second, with the largest limit the remote allows
    const bigger = Math.max(limit, remote.maxLimit ?? limit);
    const filter = { ...c.base, since: oldest, until: oldest, limit: bigger };
    return { type: 'next', cursor: { base: c.base, pages, limit, second: oldest, filter } };
  }
  if (oldest < since) return { type: 'done', reason: 'reachedSince', truncated: false };
  return { type: 'next', cursor: { base: c.base, pages, limit, filter: { ...c.base, until: oldest, limit } } };
}

function below(c: PageCursor, t: number, pages: number, limit: number, maxPages: number, since: number): PageDecision {
  if (t - 1 < since) return { type: 'done', reason: 'reachedSince', truncated: false };
  if (pages >= maxPages) return { type: 'done', reason: 'maxPages', truncated: true };
  return { type: 'next', cursor: { base: c.base, pages, limit, filter: { ...c.base, until: t - 1, limit } } };
}

/** Keeps events whose id was not seen yet, and records them in `seen`. */
export function dedupeById<T extends { id: string }>(seen: Set<string>, events: readonly T[]): T[] {
  const out: T[] = [];
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    out.push(e);
  }
  return out;
}
