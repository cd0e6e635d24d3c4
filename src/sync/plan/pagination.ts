// REQ/EOSE `until` pagination for historic sync (SYNC.md "Live and historic", sync-study §9.1 item 7).
// Every delivered event counts, whatever our policy decided. `until` is inclusive, so boundary events
// come again (deduped by id); a full page all in one second switches to that exact second
// (since = until = t) and then moves below it — never loops, never skips silently; pages are capped
// (the part resumes below its last page later). Without a published max_limit, paging is relative to
// what arrived: it continues until a page brings nothing new.
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
  /** ids at the oldest second of the previous page: `until` is inclusive, so they come again */
  boundary?: { second: number; ids: string[] };
  /** largest page the remote returned so far for this part (its silent cap, when it publishes none) */
  biggest?: number;
}

export type PageDecision =
  | { type: 'done'; reason: 'notFull' | 'reachedSince'; truncated: false }
  | { type: 'done'; reason: 'secondOverflow'; truncated: true }
  /** page cap reached: not confirmed; `resume` continues below the last page (after a backoff) */
  | { type: 'done'; reason: 'maxPages'; truncated: true; resume: PageCursor }
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

/**
 * The next step after a page. A remote that publishes `max_limit` is trusted: a page short of it is the
 * last. One that publishes none may cap pages silently, so paging is relative to what arrived: it goes on
 * while pages bring events not seen before, and a page of nothing new ends it — unless that page is one
 * second filled to the largest size the remote ever returned, which may hide more (asked exactly).
 */
export function decidePage(c: PageCursor, events: readonly PageEvent[], remote: RelayLimits, maxPages = DEFAULT_MAX_PAGES): PageDecision {
  const pages = c.pages + 1;
  const n = events.length;
  const trusted = remote.maxLimit !== undefined && remote.maxLimit > 0;
  const asked = c.filter.limit ?? c.limit;
  const since = c.base.since ?? 0;
  const biggestBefore = c.biggest ?? 0;
  const biggest = Math.max(biggestBefore, n);
  const seen = c.boundary === undefined ? undefined : new Set(c.boundary.ids);
  const fresh = events.filter((e) => !(seen !== undefined && e.created_at === c.boundary!.second && seen.has(e.id))).length;
  const cursor = (filter: NostrFilter, extra: Partial<PageCursor> = {}): PageCursor => ({ base: c.base, pages, limit: c.limit, biggest, filter, ...extra });
  if (c.second !== undefined) {
    // the whole second came back (or could not): continue strictly below it
    const overflow = isFullPage(n, asked, remote) || (!trusted && n > 0 && fresh === 0 && n >= biggestBefore);
    if (overflow) return { type: 'done', reason: 'secondOverflow', truncated: true };
    if (c.second - 1 < since) return { type: 'done', reason: 'reachedSince', truncated: false };
    const next = cursor({ ...c.base, until: c.second - 1, limit: c.limit });
    if (pages >= maxPages) return { type: 'done', reason: 'maxPages', truncated: true, resume: { ...next, pages: 0 } };
    return { type: 'next', cursor: next };
  }
  if (n === 0) return { type: 'done', reason: 'notFull', truncated: false };
  let oldest = Infinity;
  let newest = -Infinity;
  for (const e of events) {
    oldest = Math.min(oldest, e.created_at);
    newest = Math.max(newest, e.created_at);
  }
  const plateau = (): PageDecision => {
    // one second filled a page: ask for exactly that second, with the largest limit the remote allows
    const bigger = Math.max(c.limit, remote.maxLimit ?? c.limit);
    return { type: 'next', cursor: cursor({ ...c.base, since: oldest, until: oldest, limit: bigger }, { second: oldest }) };
  };
  const boundaryIds = events.filter((e) => e.created_at === oldest).map((e) => e.id);
  if (c.boundary?.second === oldest) boundaryIds.push(...c.boundary.ids);
  const onward = (): PageDecision => {
    if (oldest < since) return { type: 'done', reason: 'reachedSince', truncated: false };
    const next = cursor({ ...c.base, until: oldest, limit: c.limit }, { boundary: { second: oldest, ids: [...new Set(boundaryIds)] } });
    if (pages >= maxPages) return { type: 'done', reason: 'maxPages', truncated: true, resume: { ...next, pages: 0 } };
    return { type: 'next', cursor: next };
  };
  if (trusted) {
    if (!isFullPage(n, asked, remote)) return { type: 'done', reason: 'notFull', truncated: false };
    if (oldest === newest) return pages >= maxPages ? { type: 'done', reason: 'maxPages', truncated: true, resume: { ...c, pages: 0 } } : plateau();
    return onward();
  }
  if (fresh > 0) return onward();
  // nothing new: the end, unless this page is one second as large as any page the remote returned
  if (oldest === newest && n >= biggestBefore) return pages >= maxPages ? { type: 'done', reason: 'maxPages', truncated: true, resume: { ...c, pages: 0 } } : plateau();
  return { type: 'done', reason: 'notFull', truncated: false };
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
