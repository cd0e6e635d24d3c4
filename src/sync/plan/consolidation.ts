// Consolidation of one relay's live subscriptions (SYNC.md "Connection lifecycle: Consolidation").
// When adding filters would pass the threshold, rebuild all live subs from confirmed ∪ new items in
// the fewest filters. New subs carry `since = now − overlap` instead of limit:0, so events published
// during the swap are delivered; open-before-close only when the remote's budget allows both at once.
import type { NostrFilter } from '../../nostr/types.js';
import type { RelayLimits, RelayNeeds } from './types.js';
import { unionNeeds } from './diff.js';
import { effectiveLimits, itemFilters, layer1Filter, packFilters } from './filters.js';

export interface LiveSubView {
  subId: string;
  filterCount: number;
}

/** Live filters we allow on one relay: the threshold, and what max_subscriptions × max_filters permits. */
export function liveFilterCapacity(limits: RelayLimits, threshold: number, reservedSubs: number): number {
  const l = effectiveLimits(limits);
  return Math.max(1, Math.min(threshold, Math.max(1, l.maxSubscriptions - reservedSubs) * l.maxFilters));
}

export function needsConsolidation(liveFilters: number, adding: number, capacity: number): boolean {
  return liveFilters + adding > capacity;
}

export interface ConsolidationPlan {
  /** execute in this order */
  order: 'openFirst' | 'closeFirst';
  open: { subId: string; filters: NostrFilter[] }[];
  close: string[];
  /** filters that did not fit the capacity (their items rely on historic and daily sync) */
  dropped: number;
}

export interface ConsolidationInput {
  live: readonly LiveSubView[];
  confirmed: RelayNeeds;
  adding: RelayNeeds;
  limits: RelayLimits;
  capacity: number;
  /** other subscriptions open on the relay (historic) */
  otherSubs: number;
  nowSec: number;
  overlapSec: number;
  newSubId: () => string;
}

export function planConsolidation(i: ConsolidationInput): ConsolidationPlan {
  const all = [layer1Filter(), ...itemFilters(unionNeeds(i.confirmed, i.adding))];
  const kept = all.slice(0, i.capacity).map((f) => ({ ...f, since: Math.max(0, i.nowSec - i.overlapSec) }));
  const open = packFilters(kept, i.limits).map((filters) => ({ subId: i.newSubId(), filters }));
  const lim = effectiveLimits(i.limits);
  const oldFilters = i.live.reduce((n, s) => n + s.filterCount, 0);
  const fitsBoth = i.live.length + open.length + i.otherSubs <= lim.maxSubscriptions && oldFilters + kept.length <= i.capacity;
  return { order: fitsBoth ? 'openFirst' : 'closeFirst', open, close: i.live.map((s) => s.subId), dropped: all.length - kept.length };
}
