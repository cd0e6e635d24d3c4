// 100k GRASP-shaped events: the typical GRASP filters on LmdbStore return exactly what a scan of the corpus
// returns (the corpus has no replaced, deleted or expiring events, so the scan is the truth).
// Correctness only (timing lives in bench/store-query.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from './lmdb-store.js';
import { compareNewestFirst, compareOldestFirst, filterLimit, matchFilters } from '../nostr/filter.js';
import { serializeEvent } from './save-rules.js';
import { graspCorpus, typicalFilters } from './test-corpus.js';

test('answers typical GRASP filters correctly over 100k events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-scale-'));
  const lmdb = await LmdbStore.open(dir);
  try {
    const corpus = graspCorpus(100_000);
    // all saves in one event turn: lmdb batches them into one commit
    const outcomes = await Promise.all(corpus.events.map((e) => lmdb.save(e)));
    assert.ok(outcomes.every((o) => o === 'saved'));
    assert.equal(await lmdb.count([{}]), 100_000);
    const newestFirst = [...corpus.events].sort(compareNewestFirst);
    for (const { name, filters } of typicalFilters(corpus)) {
      assert.equal(filters.length, 1);
      const matching = newestFirst.filter((e) => matchFilters(filters, e));
      const expected = matching.slice(0, filterLimit(filters[0]!, 500)).map(serializeEvent);
      assert.ok(expected.length > 0, `${name} matches something`);
      assert.deepEqual(await lmdb.queryRaw(filters, { maxLimit: 500 }), expected, name);
      const ids = matching.map((e) => ({ created_at: e.created_at, id: e.id })).sort(compareOldestFirst);
      assert.deepEqual(await lmdb.idsForNegentropy(filters), ids, name);
    }
  } finally {
    await lmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
