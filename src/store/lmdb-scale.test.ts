// 100k GRASP-shaped events: the typical GRASP filters on LmdbStore return what the naive MemoryStore returns.
// Correctness only (timing lives in bench/store-query.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from './lmdb-store.js';
import { MemoryStore } from './memory-store.js';
import { graspCorpus, typicalFilters } from './test-corpus.js';

test('answers typical GRASP filters correctly over 100k events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-scale-'));
  const lmdb = await LmdbStore.open(dir);
  const memory = new MemoryStore();
  try {
    const corpus = graspCorpus(100_000);
    for (let i = 0; i < corpus.events.length; i += 2000) {
      const batch = corpus.events.slice(i, i + 2000);
      const outcomes = await Promise.all(batch.map((e) => lmdb.save(e)));
      assert.ok(outcomes.every((o) => o === 'saved'));
      for (const e of batch) await memory.save(e);
    }
    assert.equal(await lmdb.count([{}]), 100_000);
    for (const { name, filters } of typicalFilters(corpus)) {
      const expected = await memory.queryRaw(filters, { maxLimit: 500 });
      const got = await lmdb.queryRaw(filters, { maxLimit: 500 });
      assert.ok(expected.length > 0, `${name} matches something`);
      assert.deepEqual(got, expected, name);
      assert.deepEqual(await lmdb.idsForNegentropy(filters), await memory.idsForNegentropy(filters), name);
    }
  } finally {
    await lmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
