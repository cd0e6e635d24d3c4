// Live capacity of one relay (SYNC.md "Connection lifecycle: Consolidation"): how many live filters and
// subscriptions we allow ourselves there — the threshold, and what the remote's NIP-11 limitation permits
// after room for historic work. The layout that fits the items into it is live-layout.ts.
import type { RelayLimits } from './types.js';
import { effectiveLimits } from './filters.js';
import type { LiveBudget } from './live-layout.js';

/** Live filters we allow on one relay: the threshold, and what max_subscriptions × max_filters permits. */
export function liveFilterCapacity(limits: RelayLimits, threshold: number, reservedSubs: number): number {
  const l = effectiveLimits(limits);
  return Math.max(1, Math.min(threshold, Math.max(1, l.maxSubscriptions - reservedSubs) * l.maxFilters));
}

/** Filters, subscriptions and REQ size for live coverage, leaving `historicConcurrency` subs (and filters) free. */
export function liveBudget(limits: RelayLimits, threshold: number, historicConcurrency: number): LiveBudget {
  const l = effectiveLimits(limits);
  return {
    capacity: liveFilterCapacity(limits, threshold - historicConcurrency, historicConcurrency),
    subscriptions: Math.max(1, l.maxSubscriptions - historicConcurrency),
    maxFilters: l.maxFilters,
  };
}
