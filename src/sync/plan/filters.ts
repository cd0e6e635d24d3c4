// The three filter layers and REQ packing (SYNC.md "Filters", "Live and historic").
// L1 {kinds:[30617]}; L2 per repo: 30618 by #d, then #a/#A/#q by coordinate (stateOnly: state only);
// L3 per root event: #e/#E/#q. Values are chunked at 100 per filter. Live filters carry limit:0;
// historic ones an explicit limit (and since when catching up). Packing honours NIP-11 limitation.
import type { NostrFilter } from '../../nostr/types.js';
import { KIND_DELETION, KIND_REPO_ANNOUNCEMENT, KIND_REPO_STATE } from '../../nostr/kinds.js';
import type { RelayLimits, RelayNeeds, RepoKey } from './types.js';

export const FILTER_CHUNK = 100;
/** NIP-11 silent: assume this many subscriptions per connection (SYNC.md) */
export const DEFAULT_MAX_SUBSCRIPTIONS = 20;
/** NIP-11 silent: filters packed into one REQ (common relay defaults are ≥ 10) */
export const DEFAULT_MAX_FILTERS = 10;

export function layer1Filter(): NostrFilter {
  return { kinds: [KIND_REPO_ANNOUNCEMENT] };
}

/**
 * NIP-09 deletions. One of a reply, comment or status names only the deleted event, never a repo or root
 * event, so no layer-2/3 filter matches it; they travel with layer 1 (live, and caught up with since).
 * Admission keeps only those deleting an event of their own author that we hold.
 */
export function deletionsFilter(): NostrFilter {
  return { kinds: [KIND_DELETION] };
}

export function chunk<T>(values: readonly T[], size: number = FILTER_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** `30617:<pk>:<d>` → d (d may itself contain ':') */
export function identifierOf(key: RepoKey): string {
  return key.slice(6 + 64 + 1);
}

/** Layer 2: state filters for every repo, a/A/q for full repos only. */
export function repoFilters(repos: Iterable<RepoKey>, stateOnly: ReadonlySet<RepoKey>): NostrFilter[] {
  const all = [...repos].sort();
  const ids = [...new Set(all.map(identifierOf))];
  const out: NostrFilter[] = chunk(ids).map((d) => ({ kinds: [KIND_REPO_STATE], '#d': d }));
  for (const c of chunk(all.filter((r) => !stateOnly.has(r)))) out.push({ '#a': c }, { '#A': c }, { '#q': c });
  return out;
}

/** Layer 3: replies, comments and quotes of root events. */
export function rootEventFilters(ids: Iterable<string>): NostrFilter[] {
  const out: NostrFilter[] = [];
  for (const c of chunk([...ids].sort())) out.push({ '#e': c }, { '#E': c }, { '#q': c });
  return out;
}

/** Layers 2 + 3 for a set of items, in the fewest filters (full chunks). */
export function itemFilters(items: RelayNeeds): NostrFilter[] {
  return [...repoFilters(items.repos, items.stateOnly), ...rootEventFilters(items.rootEvents)];
}

export function asLive(filters: readonly NostrFilter[]): NostrFilter[] {
  return filters.map((f) => ({ ...f, limit: 0 }));
}

export function asHistoric(filters: readonly NostrFilter[], opts: { limit: number; since?: number }): NostrFilter[] {
  return filters.map((f) => (opts.since === undefined ? { ...f, limit: opts.limit } : { ...f, since: opts.since, limit: opts.limit }));
}

/** The explicit historic limit: the remote's max_limit, else ours. */
export function historicLimit(limits: RelayLimits, ourMaxLimit: number): number {
  return limits.maxLimit !== undefined && limits.maxLimit > 0 ? limits.maxLimit : ourMaxLimit;
}

export interface EffectiveLimits {
  maxSubscriptions: number;
  maxFilters: number;
}

export function effectiveLimits(l: RelayLimits): EffectiveLimits {
  const pos = (n: number | undefined, d: number): number => (n !== undefined && n > 0 ? Math.floor(n) : d);
  return { maxSubscriptions: pos(l.maxSubscriptions, DEFAULT_MAX_SUBSCRIPTIONS), maxFilters: pos(l.maxFilters, DEFAULT_MAX_FILTERS) };
}

/** Groups filters into REQs of at most `maxFilters` filters each. */
export function packFilters(filters: readonly NostrFilter[], limits: RelayLimits): NostrFilter[][] {
  return chunk(filters, effectiveLimits(limits).maxFilters);
}
