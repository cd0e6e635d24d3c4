// The LMDB query planner (NIP-01 REQ filters): picks, per filter, the most selective index — ids, then the
// address table, then a tag index, then (pubkey, kind), then kind or pubkey, else the created_at scan — and
// says whether that index alone proves the match (covered) or candidates must be checked with matchFilter.
// Pure: no database here, only the shape of the keys (see lmdb-indexes.ts).
import type { NostrFilter } from '../nostr/types.js';
import { tagFilters } from '../nostr/filter.js';
import { isAddressable, isReplaceable } from '../nostr/kinds.js';
import { addressKey } from './save-rules.js';
import { authorKindPrefix, authorPrefixOf, hexKey, isIndexableTag, kindPrefix, tagPrefix, type IndexName } from './lmdb-indexes.js';

export { isIndexableTag, MAX_INDEXED_TAG_BYTES, type IndexName } from './lmdb-indexes.js';

export type Plan =
  | { type: 'empty' }
  | { type: 'ids'; ids: string[] }
  | { type: 'addr'; addresses: string[] }
  | {
      type: 'index';
      index: IndexName;
      /** key prefixes, one range each (lmdb-indexes.ts) */
      prefixes: Buffer[];
      /** the index alone proves the match */
      covered: boolean;
      /** tag index only: the rest of the filter is kinds/authors, checked on the entry's value */
      entryCheck?: { kinds?: number[]; authorPrefixes?: string[] };
    };

/** Above this many (author, kind) pairs, one range per pair costs more than it saves. */
const MAX_PAIR_RANGES = 4096;
const MAX_ADDRESS_LOOKUPS = 4096;
const HEX64 = /^[0-9a-f]{64}$/;

export function isStorableKind(kind: number): boolean {
  return Number.isInteger(kind) && kind >= 0 && kind <= 0xffff;
}

/** Tags whose values are shared by many events: worse than (author, kind) when both are present. */
const BROAD_TAGS = new Set(['d', 't', 'k', 'K', 'l', 'L', 'm', 'h']);

export function planFilter(filter: NostrFilter): Plan {
  const tags = tagFilters(filter);
  if (filter.limit !== undefined && filter.limit <= 0) return { type: 'empty' };
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) return { type: 'empty' };
  if (filter.ids?.length === 0 || filter.authors?.length === 0 || filter.kinds?.length === 0) return { type: 'empty' };
  if (tags.some(([, values]) => values.length === 0)) return { type: 'empty' };
  if (filter.ids) return { type: 'ids', ids: [...new Set(filter.ids)] };

  // values no stored event can have are dropped (stored pubkeys are 64 hex, kinds uint16): keys hold bytes
  const authors = filter.authors ? [...new Set(filter.authors.filter((a) => HEX64.test(a)))] : undefined;
  const kinds = filter.kinds ? [...new Set(filter.kinds.filter(isStorableKind))] : undefined;
  if (authors?.length === 0 || kinds?.length === 0) return { type: 'empty' };
  const addresses = addressLookups(authors, kinds, filter['#d']);
  if (addresses) return { type: 'addr', addresses };

  const indexable = tags
    .filter(([name, values]) => values.every((v) => isIndexableTag(name, v)))
    .sort((a, b) => a[1].length - b[1].length);
  const tag = indexable.find(([name]) => !BROAD_TAGS.has(name)) ?? indexable[0];
  const pairs = authors && kinds && authors.length * kinds.length <= MAX_PAIR_RANGES;
  const onlyTag = tags.length === 1 && !authors && !kinds;
  const tagPlan = ([name, values]: [string, string[]]): Plan => ({
    type: 'index', index: 'tag', prefixes: [...new Set(values)].map((v) => tagPrefix(name, v)), covered: onlyTag,
    ...(tags.length === 1 && !onlyTag ? { entryCheck: { kinds, authorPrefixes: authors?.map(authorPrefixOf) } } : {}),
  });

  if (tag && !(pairs && BROAD_TAGS.has(tag[0]))) return tagPlan(tag);
  const noTags = tags.length === 0;
  if (authors && kinds && pairs) {
    const prefixes = authors.flatMap((a) => kinds.map((k) => authorKindPrefix(a, k)));
    return { type: 'index', index: 'authorKind', prefixes, covered: noTags };
  }
  if (tag) return tagPlan(tag);
  if (kinds) return { type: 'index', index: 'kind', prefixes: kinds.map(kindPrefix), covered: noTags && !authors };
  if (authors) return { type: 'index', index: 'author', prefixes: authors.map(hexKey), covered: noTags };
  return { type: 'index', index: 'time', prefixes: [Buffer.alloc(0)], covered: noTags };
}

/** authors × kinds (× #d) when every kind keeps one version per address: direct lookups, no scan. */
function addressLookups(authors?: string[], kinds?: number[], ds?: string[]): string[] | undefined {
  if (!authors || !kinds) return undefined;
  const allReplaceable = kinds.every(isReplaceable);
  if (!allReplaceable && !(ds && kinds.every(isAddressable))) return undefined;
  const dValues = allReplaceable ? [''] : [...new Set(ds)];
  if (authors.length * kinds.length * dValues.length > MAX_ADDRESS_LOOKUPS) return undefined;
  const out: string[] = [];
  for (const a of authors) for (const k of kinds) for (const d of dValues) out.push(addressKey(k, a, d) as string);
  return out;
}
