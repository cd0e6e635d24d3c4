// Differential check of the LMDB planner (strfry's filterFuzzTest idea): random overlapping events and
// random NIP-01 filters; LmdbStore must answer exactly like the naive MemoryStore, order included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { LmdbStore } from './lmdb-store.js';
import { MemoryStore } from './memory-store.js';
import { hex64 } from './test-events.js';
import { StoredResults } from '../relay/stored-pages.js';

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOW = 1_000_100;
const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(xs)))];

const AUTHORS = Array.from({ length: 8 }, (_, i) => hex64(`author-${i}`));
const KINDS = [0, 1, 3, 7, 1111, 1617, 1621, 10002, 30617, 30618];
const ROOTS = Array.from({ length: 30 }, (_, i) => hex64(`root-${i}`));
const COORDS = AUTHORS.flatMap((a) => ['r1', 'r2'].map((d) => `30617:${a}:${d}`));
const DS = ['r1', 'r2', 'r3', ''];
const TS = Array.from({ length: 40 }, (_, i) => 1_000_000 + i);

function randomEvent(i: number, stored: NostrEvent[]): NostrEvent {
  const pubkey = pick(AUTHORS);
  const tags: string[][] = [];
  const nTags = Math.floor(rand() * 5);
  for (let t = 0; t < nTags; t++) {
    const r = rand();
    if (r < 0.25) tags.push(['e', pick(ROOTS)]);
    else if (r < 0.45) tags.push(['p', pick(AUTHORS), 'wss://relay']);
    else if (r < 0.65) tags.push(['a', pick(COORDS)]);
    else if (r < 0.8) tags.push(['d', pick(DS)]);
    else if (r < 0.9) tags.push(['t', pick(['x', 'y', 'z'])]);
    else tags.push(['expiration', String(NOW + (rand() < 0.3 ? -50 : 50) + Math.floor(rand() * 20) - 10)]);
  }
  let kind = pick(KINDS);
  if (rand() < 0.04 && stored.length > 0) {
    kind = 5;
    const mine = stored.filter((e) => e.pubkey === pubkey);
    for (const target of [pick(stored), ...(mine.length ? [pick(mine)] : [])]) tags.push(['e', target.id]);
    if (rand() < 0.5) tags.push(['a', `30617:${pubkey}:${pick(DS)}`]);
  }
  return { id: hex64(`diff-${i}`), pubkey, created_at: pick(TS), kind, tags, content: `c${i}`, sig: '0'.repeat(128) };
}

function randomFilter(stored: NostrEvent[]): NostrFilter {
  const f: NostrFilter = {};
  if (rand() < 0.08) f.ids = [...some(stored, 6).map((e) => e.id), hex64(`missing-${rand()}`)];
  if (rand() < 0.4) f.authors = some(AUTHORS, 3);
  if (rand() < 0.5) f.kinds = some(KINDS, 3);
  if (rand() < 0.2) f['#e'] = some(ROOTS, 5);
  if (rand() < 0.15) f['#p'] = some(AUTHORS, 2);
  if (rand() < 0.2) f['#a'] = some(COORDS, 6);
  if (rand() < 0.15) f['#d'] = some(DS, 2);
  if (rand() < 0.08) f['#t'] = some(['x', 'y', 'z', 'w'], 2);
  if (rand() < 0.03) f['#expiration'] = [String(NOW + 50)];
  if (rand() < 0.25) f.since = pick(TS);
  if (rand() < 0.25) f.until = pick(TS);
  if (rand() < 0.6) f.limit = Math.floor(rand() * 60);
  return f;
}

test('LmdbStore answers 500 random filters exactly like MemoryStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-diff-'));
  const now = (): number => NOW;
  const lmdb = await LmdbStore.open(dir, { now });
  const memory = new MemoryStore({ now });
  try {
    const stored: NostrEvent[] = [];
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 2000; i++) {
      const e = randomEvent(i, stored);
      const expected = await memory.save(e);
      // saves race in batches of 50 to exercise the shared commit; outcomes must still match one by one
      pending.push(lmdb.save(e).then((got) => assert.equal(got, expected, `save #${i} kind ${e.kind}`)));
      if (pending.length === 50) await Promise.all(pending.splice(0));
      stored.push(e);
    }
    await Promise.all(pending);
    assert.equal(await lmdb.count([{}]), await memory.count([{}]));

    for (let q = 0; q < 500; q++) {
      const filters = Array.from({ length: rand() < 0.2 ? 2 + Math.floor(rand() * 3) : 1 }, () => randomFilter(stored));
      const opts = rand() < 0.2 ? { maxLimit: 1 + Math.floor(rand() * 30) } : {};
      const label = JSON.stringify({ filters, opts });
      const expected = await memory.queryRaw(filters, opts);
      assert.deepEqual(await lmdb.queryRaw(filters, opts), expected, label);
      if (q % 5 === 0) {
        assert.equal(await lmdb.count(filters), await memory.count(filters), `count ${label}`);
        assert.deepEqual(await lmdb.idsForNegentropy(filters), await memory.idsForNegentropy(filters), `neg ${label}`);
      }
    }
  } finally {
    await lmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('paged REQ results (relay/stored-pages.ts) equal the one-shot query, with pauses dropping the pages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-diff-pages-'));
  const now = (): number => NOW;
  const lmdb = await LmdbStore.open(dir, { now });
  try {
    const stored: NostrEvent[] = [];
    for (let i = 0; i < 1500; i++) {
      const e = randomEvent(i, stored);
      await lmdb.save(e);
      stored.push(e);
    }
    for (let q = 0; q < 300; q++) {
      const filters = Array.from({ length: rand() < 0.3 ? 2 + Math.floor(rand() * 3) : 1 }, () => randomFilter(stored));
      const maxLimit = rand() < 0.3 ? 1 + Math.floor(rand() * 30) : 500;
      const expected = await lmdb.queryRaw(filters, { maxLimit });
      const paged = new StoredResults(filters, (page) => lmdb.queryRaw([page], { maxLimit: page.limit! }), { maxLimit, targetBytes: 2_000, maxRowsPerPage: 7 });
      const got: string[] = [];
      for (let raw = await paged.next(); raw !== undefined; raw = await paged.next()) {
        got.push(raw);
        if (rand() < 0.1) paged.drop();
      }
      assert.deepEqual(got, expected, JSON.stringify({ filters, maxLimit }));
    }
  } finally {
    await lmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
