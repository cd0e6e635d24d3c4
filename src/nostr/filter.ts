// NIP-01 filter matching (ids, authors, kinds, #<tag>, since/until) and limit clamping, plus the NIP-40
// `expiration` tag. Pure functions over plain data; the store's query planner and the naive MemoryStore
// both defer to matchFilter, so this file is the single definition of "an event matches a filter".
import type { NostrEvent, NostrFilter } from './types.js';

/** The NIP-40 expiration timestamp (seconds), or undefined when absent or malformed. */
export function expirationOf(event: NostrEvent): number | undefined {
  for (const tag of event.tags) {
    if (tag[0] !== 'expiration' || tag[1] === undefined) continue;
    const n = Number(tag[1]);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Expired means the expiration instant has been reached (`expiration <= now`, both in seconds). */
export function isExpired(event: NostrEvent, now: number): boolean {
  const exp = expirationOf(event);
  return exp !== undefined && exp <= now;
}

/** The `#x` keys of a filter with their value lists (undefined entries are skipped). */
export function tagFilters(filter: NostrFilter): Array<[name: string, values: string[]]> {
  const out: Array<[string, string[]]> = [];
  for (const key of Object.keys(filter)) {
    if (key[0] !== '#') continue;
    const values = filter[key as `#${string}`];
    if (Array.isArray(values)) out.push([key.slice(1), values]);
  }
  return out;
}

/**
 * NIP-01: every present field must match. An empty list matches nothing. Tag filters match a tag whose
 * name equals the key and whose first value is listed. since/until are inclusive. With `now`, an expired
 * event (NIP-40) never matches.
 */
export function matchFilter(filter: NostrFilter, event: NostrEvent, now?: number): boolean {
  if (filter.ids && !filter.ids.includes(event.id)) return false;
  if (filter.authors && !filter.authors.includes(event.pubkey)) return false;
  if (filter.kinds && !filter.kinds.includes(event.kind)) return false;
  if (filter.since !== undefined && event.created_at < filter.since) return false;
  if (filter.until !== undefined && event.created_at > filter.until) return false;
  for (const [name, values] of tagFilters(filter)) {
    if (!event.tags.some((t) => t[0] === name && t[1] !== undefined && values.includes(t[1]))) return false;
  }
  if (now !== undefined && isExpired(event, now)) return false;
  return true;
}

export function matchFilters(filters: NostrFilter[], event: NostrEvent, now?: number): boolean {
  return filters.some((f) => matchFilter(f, event, now));
}

/** The number of stored events a filter may return: its own limit, never above maxLimit (no limit → maxLimit). */
export function filterLimit(filter: NostrFilter, maxLimit: number): number {
  const own = filter.limit;
  if (own === undefined || !Number.isFinite(own)) return maxLimit;
  return Math.min(Math.max(0, Math.floor(own)), maxLimit);
}

/** Result order of every query: newest first, then lowest id. */
export function compareNewestFirst(a: { created_at: number; id: string }, b: { created_at: number; id: string }): number {
  if (a.created_at !== b.created_at) return b.created_at - a.created_at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Negentropy (NIP-77) order: oldest first, then lowest id. */
export function compareOldestFirst(a: { created_at: number; id: string }, b: { created_at: number; id: string }): number {
  if (a.created_at !== b.created_at) return a.created_at - b.created_at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
