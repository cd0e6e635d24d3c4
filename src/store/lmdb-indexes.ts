// The binary index keys of the LMDB store (NIP-01 filter fields). Every key is `prefix ‖ inv(created_at) ‖
// serial` (6 bytes each, big-endian), inv = MAX_TIME - created_at, so a forward range walk is newest-first;
// ties come in serial order and are put in id order after the walk (lmdb-scan.ts, lmdb-store.ts). Values
// are empty: a walk reads keys only.
//   time       []                     author  [pubkey 32]        kind  [kind 2]
//   authorKind [pubkey 32, kind 2]    tag     [letter 1, tag value] (single-letter tags, first value, once
//              per (letter, value); value = [len ≤ 20, bytes] or [0xFF, sha256(value)[0..20)] — 160 bits
//              keep the range exact). Tag keys end in kind 2 + pubkey prefix 8 (after the serial, so order
//              is unchanged): tag+kinds/authors filters skip most candidates without reading the event.
import { hash } from 'node:crypto';
import type { NostrEvent } from '../nostr/types.js';

export type IndexName = 'time' | 'author' | 'kind' | 'authorKind' | 'tag';
export const INDEX_NAMES: readonly IndexName[] = ['time', 'author', 'kind', 'authorKind', 'tag'];

/** created_at is stored in 6 bytes: 2^48 s is ~8.9 million years. */
export const MAX_TIME = 2 ** 48 - 1;
export const SERIAL_BYTES = 6;
const TAIL_BYTES = 12;
const SHORT_TAG_BYTES = 20;
const HASHED = 0xff;
const PUBKEY_PREFIX_BYTES = 8;
/** the kind + pubkey prefix suffix of tag keys */
export const TAG_SUFFIX_BYTES = 2 + PUBKEY_PREFIX_BYTES;
const PREFIX_CACHE_SIZE = 4096;

/** Tag values longer than this (or holding NUL) are not indexed (kept from layout 1: planner behaviour). */
export const MAX_INDEXED_TAG_BYTES = 512;

export function isIndexableTag(name: string, value: string | undefined): value is string {
  return /^[a-zA-Z]$/.test(name) && value !== undefined && !value.includes('\0') &&
    Buffer.byteLength(value) <= MAX_INDEXED_TAG_BYTES;
}

export function serialKey(serial: number): Buffer {
  const b = Buffer.allocUnsafe(SERIAL_BYTES);
  b.writeUIntBE(serial, 0, SERIAL_BYTES);
  return b;
}

export function hexKey(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

export function kindPrefix(kind: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(kind, 0);
  return b;
}

export function authorKindPrefix(pubkey: string, kind: number): Buffer {
  const b = Buffer.allocUnsafe(34);
  b.write(pubkey, 0, 32, 'hex');
  b.writeUInt16BE(kind, 32);
  return b;
}

/** Filters repeat the same values all day (repo coordinates): their hashed prefixes are kept. */
const prefixCache = new Map<string, Buffer>();

export function tagPrefix(letter: string, value: string): Buffer {
  const len = Buffer.byteLength(value);
  if (len <= SHORT_TAG_BYTES) {
    const b = Buffer.allocUnsafe(2 + len);
    b[0] = letter.charCodeAt(0);
    b[1] = len;
    b.write(value, 2, 'utf8');
    return b;
  }
  const cacheKey = letter + value;
  const cached = prefixCache.get(cacheKey);
  if (cached) return cached;
  const b = Buffer.allocUnsafe(2 + SHORT_TAG_BYTES);
  b[0] = letter.charCodeAt(0);
  b[1] = HASHED;
  hash('sha256', value, 'buffer').copy(b, 2, 0, SHORT_TAG_BYTES);
  if (prefixCache.size >= PREFIX_CACHE_SIZE) prefixCache.clear();
  prefixCache.set(cacheKey, b);
  return b;
}

/** prefix ‖ inv(created_at) ‖ serial ‖ suffix */
export function withTail(prefix: Buffer, createdAt: number, serial: number, suffix?: Buffer): Buffer {
  const b = Buffer.allocUnsafe(prefix.length + TAIL_BYTES + (suffix?.length ?? 0));
  prefix.copy(b, 0);
  b.writeUIntBE(MAX_TIME - createdAt, prefix.length, 6);
  b.writeUIntBE(serial, prefix.length + 6, 6);
  suffix?.copy(b, prefix.length + TAIL_BYTES);
  return b;
}

/** First key of `prefix` at or below `until` (newest first). */
export function rangeStart(prefix: Buffer, until: number): Buffer {
  const b = Buffer.alloc(prefix.length + 6);
  prefix.copy(b, 0);
  b.writeUIntBE(MAX_TIME - until, prefix.length, 6);
  return b;
}

/** Exclusive end: past every key of `prefix` at or above `since` (serials stay below 2^48 - 1). */
export function rangeEnd(prefix: Buffer, since: number): Buffer {
  const b = Buffer.alloc(prefix.length + TAIL_BYTES + 1, 0xff);
  prefix.copy(b, 0);
  b.writeUIntBE(MAX_TIME - since, prefix.length, 6);
  return b;
}

/** created_at of an index key (from its tail); `suffix`: bytes after the serial (tag keys). */
export function keyTime(key: Uint8Array, suffix = 0): number {
  return MAX_TIME - readUInt48(key, key.length - suffix - TAIL_BYTES);
}

export function keySerial(key: Uint8Array, suffix = 0): number {
  return readUInt48(key, key.length - suffix - SERIAL_BYTES);
}

function readUInt48(b: Uint8Array, at: number): number {
  return (b[at]! * 2 ** 40) + (b[at + 1]! * 2 ** 32) +
    ((b[at + 2]! << 24) >>> 0) + (b[at + 3]! << 16) + (b[at + 4]! << 8) + b[at + 5]!;
}

function tagSuffix(e: NostrEvent): Buffer {
  const b = Buffer.allocUnsafe(TAG_SUFFIX_BYTES);
  b.writeUInt16BE(e.kind, 0);
  b.write(e.pubkey, 2, PUBKEY_PREFIX_BYTES, 'hex');
  return b;
}

/** On a tag key: 'no' rules the event out; 'maybe': only the full event can tell (author prefix matched). */
export function tagEntryMatches(key: Uint8Array, kinds: number[] | undefined, authorPrefixes: string[] | undefined): 'yes' | 'no' | 'maybe' {
  const at = key.length - TAG_SUFFIX_BYTES;
  if (kinds && !kinds.includes((key[at]! << 8) | key[at + 1]!)) return 'no';
  if (!authorPrefixes) return 'yes';
  const prefix = Buffer.from(key.buffer, key.byteOffset + at + 2, PUBKEY_PREFIX_BYTES).toString('hex');
  return authorPrefixes.includes(prefix) ? 'maybe' : 'no';
}

export function authorPrefixOf(pubkey: string): string {
  return pubkey.slice(0, PUBKEY_PREFIX_BYTES * 2);
}

/** The index keys of one event. */
export function indexKeys(e: NostrEvent, serial: number): Array<[IndexName, Buffer]> {
  const t = e.created_at;
  const keys: Array<[IndexName, Buffer]> = [
    ['time', withTail(Buffer.alloc(0), t, serial)],
    ['author', withTail(hexKey(e.pubkey), t, serial)],
    ['kind', withTail(kindPrefix(e.kind), t, serial)],
    ['authorKind', withTail(authorKindPrefix(e.pubkey, e.kind), t, serial)],
  ];
  const seen = new Set<string>();
  const suffix = tagSuffix(e);
  for (const tag of e.tags) {
    const name = tag[0];
    const value = tag[1];
    if (name === undefined || !isIndexableTag(name, value)) continue;
    const k = `${name}\0${value}`;
    if (seen.has(k)) continue;
    seen.add(k);
    keys.push(['tag', withTail(tagPrefix(name, value), t, serial, suffix)]);
  }
  return keys;
}
