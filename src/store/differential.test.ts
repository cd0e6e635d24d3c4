// Differential check of the LMDB planner (strfry's filterFuzzTest idea): random overlapping events and
// random NIP-01 filters; LmdbStore must answer exactly like the naive MemoryStore, order included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NostrEvent } from '../nostr/types.js';
import { LmdbStore } from './lmdb-store.js';
import { MemoryStore } from './memory-store.js';
import { NOW, rand, randomEvent, randomFilter } from './random-corpus.js';
import { StoredResults } from '../relay/stored-pages.js';

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
