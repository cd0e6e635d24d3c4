// The LMDB environment of the event store: one env, named dbs, and the SaveTarget port that save-rules.ts
// drives inside a write transaction (NIP-01 versions, NIP-09 tombstones, NIP-40 expiration).
//   events   id → raw event JSON (as received, canonical field order)
//   idx:*    index keys (lmdb-indexes.ts) → empty
//   addr     address key → [created_at, id] of the kept version
//   tomb-e   [id, deleter pubkey] → empty;  tomb-a  address key → newest deletion created_at
//   expiring id → NIP-40 expiration (also mirrored in memory: queries check it per candidate)
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { NostrEvent } from '../nostr/types.js';
import { expirationOf } from '../nostr/filter.js';
import { addressOf, serializeEvent, type SaveTarget } from './save-rules.js';
import { INDEX_NAMES, indexKeys, tagEntryValue } from './lmdb-indexes.js';
import type { IndexName } from './lmdb-plan.js';
import type { IndexDb } from './lmdb-scan.js';

const EMPTY = Buffer.alloc(0);
/** LMDB keys are at most ~2 KB; long addresses (huge `d` tags) are stored under their hash. */
const MAX_ADDRESS_KEY_BYTES = 400;

export interface LmdbDbs {
  root: RootDatabase;
  events: Database<string, string>;
  idx: Record<IndexName, IndexDb>;
  addr: Database<[number, string], string>;
  tombE: Database<Buffer, [string, string]>;
  tombA: Database<number, string>;
  expiring: Database<number, string>;
}

/** 256 GiB of address space for the event database. */
const MAP_SIZE_BYTES = 256 * 1024 ** 3;

export function openDbs(dir: string): LmdbDbs {
  mkdirSync(dir, { recursive: true });
  // durability: overlappingSync (the default) + awaiting `flushed` after each commit; never noSync
  // A fixed, large map (virtual address space only; the file grows as needed): without it lmdb-js maps
  // the file again each time it grows and keeps the old mappings, so resident memory counts the data
  // several times over.
  const root = open({ path: dir, noSubdir: false, maxDbs: 16, mapSize: MAP_SIZE_BYTES, remapChunks: false });
  const idx = {} as Record<IndexName, IndexDb>;
  for (const name of INDEX_NAMES) idx[name] = root.openDB({ name: `idx:${name}`, encoding: 'binary' });
  return {
    root,
    events: root.openDB({ name: 'events', encoding: 'string' }),
    idx,
    addr: root.openDB({ name: 'addr' }),
    tombE: root.openDB({ name: 'tomb-e', encoding: 'binary' }),
    tombA: root.openDB({ name: 'tomb-a' }),
    expiring: root.openDB({ name: 'expiring' }),
  };
}

export function loadExpiring(dbs: LmdbDbs): Map<string, number> {
  const m = new Map<string, number>();
  for (const { key, value } of dbs.expiring.getRange()) m.set(key, value);
  return m;
}

function akey(address: string): string {
  if (Buffer.byteLength(address) <= MAX_ADDRESS_KEY_BYTES) return address;
  return `#${createHash('sha256').update(address).digest('hex')}`;
}

export function readEvent(dbs: LmdbDbs, id: string): NostrEvent | undefined {
  const raw = dbs.events.get(id);
  return raw === undefined ? undefined : (JSON.parse(raw) as NostrEvent);
}

/** Valid only inside a write transaction; `expiring` is the in-memory mirror kept in step. */
export function saveTarget(dbs: LmdbDbs, expiring: Map<string, number>): SaveTarget {
  return {
    has: (id) => dbs.events.doesExist(id),
    get: (id) => readEvent(dbs, id),
    currentAt: (address) => {
      const v = dbs.addr.get(akey(address));
      return v === undefined ? undefined : { created_at: v[0], id: v[1] };
    },
    hasIdTombstone: (id, pubkey) => dbs.tombE.doesExist([id, pubkey]),
    addressTombstone: (address) => dbs.tombA.get(akey(address)),
    insert: (event) => {
      dbs.events.putSync(event.id, serializeEvent(event));
      const tagValue = tagEntryValue(event);
      for (const [name, key] of indexKeys(event)) dbs.idx[name].putSync(key, name === 'tag' ? tagValue : EMPTY);
      const address = addressOf(event);
      if (address !== undefined) dbs.addr.putSync(akey(address), [event.created_at, event.id]);
      const exp = expirationOf(event);
      if (exp !== undefined) {
        dbs.expiring.putSync(event.id, exp);
        expiring.set(event.id, exp);
      }
    },
    remove: (event) => {
      dbs.events.removeSync(event.id);
      for (const [name, key] of indexKeys(event)) dbs.idx[name].removeSync(key);
      const address = addressOf(event);
      if (address !== undefined && dbs.addr.get(akey(address))?.[1] === event.id) dbs.addr.removeSync(akey(address));
      expiring.delete(event.id);
      if (expirationOf(event) !== undefined) dbs.expiring.removeSync(event.id);
    },
    addIdTombstone: (id, pubkey) => dbs.tombE.putSync([id, pubkey], EMPTY),
    addAddressTombstone: (address, createdAt) => {
      const old = dbs.tombA.get(akey(address));
      if (old === undefined || createdAt > old) dbs.tombA.putSync(akey(address), createdAt);
    },
  };
}
