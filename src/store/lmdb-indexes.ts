// The index keys of one event in the LMDB store (NIP-01 filter fields). Each ends in [-created_at, id] so a
// forward range walk is newest-first; the planner (lmdb-plan.ts) builds the matching key prefixes.
//   time       [-created_at, id]
//   author     [pubkey, -created_at, id]
//   kind       [kind, -created_at, id]
//   authorKind [pubkey, kind, -created_at, id]
//   tag        [letter, value, -created_at, id]   single-letter tags, first value, once per (letter, value);
//              its value holds kind (uint32 BE) + pubkey (32 bytes) so tag+kinds/authors need no JSON parse
import type { NostrEvent } from '../nostr/types.js';
import { isIndexableTag, type IndexName, type KeyPart } from './lmdb-plan.js';

export const INDEX_NAMES: readonly IndexName[] = ['time', 'author', 'kind', 'authorKind', 'tag'];

export function tagEntryValue(e: NostrEvent): Buffer {
  const b = Buffer.alloc(36);
  b.writeUInt32BE(e.kind >>> 0, 0);
  b.write(e.pubkey, 4, 32, 'hex');
  return b;
}

export function tagEntryMatches(value: Buffer, kinds: number[] | undefined, authors: string[] | undefined): boolean {
  if (value.length !== 36) return false;
  if (kinds && !kinds.includes(value.readUInt32BE(0))) return false;
  return !authors || authors.includes(value.toString('hex', 4, 36));
}

export function indexKeys(e: NostrEvent): Array<[IndexName, KeyPart[]]> {
  const t = -e.created_at;
  const keys: Array<[IndexName, KeyPart[]]> = [
    ['time', [t, e.id]],
    ['author', [e.pubkey, t, e.id]],
    ['kind', [e.kind, t, e.id]],
    ['authorKind', [e.pubkey, e.kind, t, e.id]],
  ];
  const seen = new Set<string>();
  for (const tag of e.tags) {
    const name = tag[0];
    const value = tag[1];
    if (name === undefined || !isIndexableTag(name, value)) continue;
    const k = `${name}\0${value}`;
    if (seen.has(k)) continue;
    seen.add(k);
    keys.push(['tag', [name, value, t, e.id]]);
  }
  return keys;
}
