// The LMDB environment of the event store (layout 3): one env, named dbs, and the SaveTarget port that
// save-rules.ts drives inside a write transaction (NIP-01 versions, NIP-09 tombstones, NIP-40 expiration).
//   meta     'version' → LAYOUT_VERSION (an env without it, but with data, is refused)
//   ev       serial (6 bytes BE, ascending: appends) → event (lmdb-event-codec.ts)
//   ids      id (32 bytes) → serial
//   ix:*     index keys (lmdb-indexes.ts) → empty
//   addr     address key → [created_at, id] of the kept version
//   tomb-e   [id, deleter pubkey] → empty;  tomb-a  address key → newest deletion created_at
//   expiring serial → NIP-40 expiration (also mirrored in memory: queries check it per candidate)
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { NostrEvent } from '../nostr/types.js';
import { expirationOf } from '../nostr/filter.js';
import { addressOf, type SaveTarget } from './save-rules.js';
import { hexKey, INDEX_NAMES, indexKeys, keySerial, SERIAL_BYTES, serialKey, type IndexName } from './lmdb-indexes.js';
import { decodeEvent, encodeEvent } from './lmdb-event-codec.js';
import type { IndexDb } from './lmdb-scan.js';

/** 1: hex/ordered-binary keys by id; 2 (briefly): tag kind + pubkey as values; 3: all in the keys */
export const LAYOUT_VERSION = 3;
const EMPTY = Buffer.alloc(0);
/** LMDB keys are at most ~2 KB; long addresses (huge `d` tags) are stored under their hash. */
const MAX_ADDRESS_KEY_BYTES = 400;
/** names of layout-1 dbs: their presence without a version means data this code cannot read */
const LAYOUT_1_DBS = ['events', 'idx:time'];

export interface LmdbDbs {
  root: RootDatabase;
  meta: Database<number, string>;
  ev: Database<Buffer, Buffer>;
  ids: Database<Buffer, Buffer>;
  idx: Record<IndexName, IndexDb>;
  addr: Database<[number, string], string>;
  tombE: Database<Buffer, [string, string]>;
  tombA: Database<number, string>;
  expiring: Database<number, Buffer>;
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
  const meta = root.openDB<number, string>({ name: 'meta' });
  checkLayout(root, meta);
  const idx = {} as Record<IndexName, IndexDb>;
  for (const name of INDEX_NAMES) idx[name] = root.openDB({ name: `ix:${name}`, encoding: 'binary', keyEncoding: 'binary' });
  return {
    root,
    meta,
    ev: root.openDB({ name: 'ev', encoding: 'binary', keyEncoding: 'binary' }),
    ids: root.openDB({ name: 'ids', encoding: 'binary', keyEncoding: 'binary' }),
    idx,
    addr: root.openDB({ name: 'addr' }),
    tombE: root.openDB({ name: 'tomb-e', encoding: 'binary' }),
    tombA: root.openDB({ name: 'tomb-a' }),
    expiring: root.openDB({ name: 'expiring', keyEncoding: 'binary' }),
  };
}

function checkLayout(root: RootDatabase, meta: Database<number, string>): void {
  const version = meta.get('version');
  if (version === LAYOUT_VERSION) return;
  // named dbs are keys of the root db (doesExist does not see them: they are flagged sub-dbs)
  const names = new Set<unknown>(root.getKeys());
  if (version !== undefined || LAYOUT_1_DBS.some((name) => names.has(name))) {
    root.close();
    throw new Error(`event store: on-disk layout ${version ?? 1} is not supported (this build reads layout ` +
      `${LAYOUT_VERSION}); move the data directory away to start empty`);
  }
  meta.putSync('version', LAYOUT_VERSION);
}

/** The next free serial: one past the highest stored. */
export function nextSerial(dbs: LmdbDbs): number {
  for (const key of dbs.ev.getKeys({ reverse: true, limit: 1 }) as Iterable<Uint8Array>) return keySerial(key) + 1;
  return 1;
}

export function loadExpiring(dbs: LmdbDbs): Map<number, number> {
  const m = new Map<number, number>();
  for (const { key, value } of dbs.expiring.getRange()) m.set(keySerial(key as Uint8Array), value as unknown as number);
  return m;
}

function akey(address: string): string {
  if (Buffer.byteLength(address) <= MAX_ADDRESS_KEY_BYTES) return address;
  return `#${createHash('sha256').update(address).digest('hex')}`;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function serialOf(dbs: LmdbDbs, id: string): number | undefined {
  if (!HEX64.test(id)) return undefined;
  const v = dbs.ids.getBinaryFast(hexKey(id));
  return v === undefined ? undefined : keySerial(v);
}

const scratch = Buffer.alloc(SERIAL_BYTES);

/** The stored bytes of an event; valid only until the next read (lmdb reuses the buffer). */
export function readStored(dbs: LmdbDbs, serial: number): Uint8Array | undefined {
  scratch.writeUIntBE(serial, 0, SERIAL_BYTES);
  return dbs.ev.getBinaryFast(scratch);
}

export function readEvent(dbs: LmdbDbs, id: string): NostrEvent | undefined {
  const serial = serialOf(dbs, id);
  if (serial === undefined) return undefined;
  const v = readStored(dbs, serial);
  return v === undefined ? undefined : decodeEvent(v);
}

/** Valid only inside a write transaction; `expiring` is the in-memory mirror kept in step. */
export function saveTarget(dbs: LmdbDbs, expiring: Map<number, number>, serials: { next: number }): SaveTarget {
  return {
    has: (id) => HEX64.test(id) && dbs.ids.doesExist(hexKey(id)),
    get: (id) => readEvent(dbs, id),
    currentAt: (address) => {
      const v = dbs.addr.get(akey(address));
      return v === undefined ? undefined : { created_at: v[0], id: v[1] };
    },
    hasIdTombstone: (id, pubkey) => dbs.tombE.doesExist([id, pubkey]),
    addressTombstone: (address) => dbs.tombA.get(akey(address)),
    insert: (event) => {
      const serial = serials.next++;
      const sk = serialKey(serial);
      dbs.ev.putSync(sk, encodeEvent(event), { append: true });
      dbs.ids.putSync(hexKey(event.id), sk);
      for (const [name, key] of indexKeys(event, serial)) dbs.idx[name].putSync(key, EMPTY);
      const address = addressOf(event);
      if (address !== undefined) dbs.addr.putSync(akey(address), [event.created_at, event.id]);
      const exp = expirationOf(event);
      if (exp !== undefined) {
        dbs.expiring.putSync(sk, exp);
        expiring.set(serial, exp);
      }
    },
    remove: (event) => {
      const serial = serialOf(dbs, event.id);
      if (serial === undefined) return;
      const sk = serialKey(serial);
      dbs.ev.removeSync(sk);
      dbs.ids.removeSync(hexKey(event.id));
      for (const [name, key] of indexKeys(event, serial)) dbs.idx[name].removeSync(key);
      const address = addressOf(event);
      if (address !== undefined && dbs.addr.get(akey(address))?.[1] === event.id) dbs.addr.removeSync(akey(address));
      if (expiring.delete(serial) || expirationOf(event) !== undefined) dbs.expiring.removeSync(sk);
    },
    addIdTombstone: (id, pubkey) => dbs.tombE.putSync([id, pubkey], EMPTY),
    addAddressTombstone: (address, createdAt) => {
      const old = dbs.tombA.get(akey(address));
      if (old === undefined || createdAt > old) dbs.tombA.putSync(akey(address), createdAt);
    },
  };
}
