// Purgatory expiry (GRASP.md "Purgatory"): an entry older than --purgatory-expiry-ms is never served nor
// used to authorise a push, whatever the sweep interval. Live means `now < addedAt + expiryMs`, so an
// expiry of 0 holds nothing. Pure; `now` is injected (ms epoch).
import type { PurgatoryEntry } from './types.js';

export function isLive(entry: Pick<PurgatoryEntry, 'addedAt'>, now: number, expiryMs: number): boolean {
  return now < entry.addedAt + expiryMs;
}

export function partitionExpired<T extends Pick<PurgatoryEntry, 'addedAt'>>(
  entries: Iterable<T>,
  now: number,
  expiryMs: number,
): { live: T[]; expired: T[] } {
  const live: T[] = [];
  const expired: T[] = [];
  for (const e of entries) (isLive(e, now, expiryMs) ? live : expired).push(e);
  return { live, expired };
}

/** When the oldest live entry expires (ms epoch), for scheduling a sweep; undefined when empty. */
export function nextExpiry(entries: Iterable<Pick<PurgatoryEntry, 'addedAt'>>, expiryMs: number): number | undefined {
  let min: number | undefined;
  for (const e of entries) if (min === undefined || e.addedAt < min) min = e.addedAt;
  return min === undefined ? undefined : min + expiryMs;
}
