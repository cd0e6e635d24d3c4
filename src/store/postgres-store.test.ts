// PostgresEventStore against a real PostgreSQL (test/helpers/postgres.ts): the shared contract suite, the
// differential check against MemoryStore, and competing saves from two pools (two instances) ending with
// one winner. Skipped, with the reason, only when no PostgreSQL server can be found.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NostrEvent } from '../nostr/types.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { PostgresEventStore } from './postgres-store.js';
import { MemoryStore } from './memory-store.js';
import { runStoreContract } from './store.contract.js';
import { buildEvent } from './test-events.js';
import { NOW, rand, randomEvent, randomFilter } from './random-corpus.js';
import type { EventStore } from './types.js';

const missing = postgresMissing();
if (missing) {
  test('PostgresEventStore', { skip: missing }, () => {});
} else {
  let pg: TestPostgres;
  const urls = new Map<EventStore, string>();
  before(async () => { pg = await startPostgres(); });
  after(async () => { await pg?.stop(); });

  runStoreContract(
    'PostgresEventStore',
    async ({ now }) => {
      const url = await pg.freshDatabase();
      const store = await PostgresEventStore.connect(url, { now, maxConnections: 3 });
      urls.set(store, url);
      return store;
    },
    {
      reopen: async (store, { now }) => {
        const url = urls.get(store)!;
        await store.close();
        const again = await PostgresEventStore.connect(url, { now, maxConnections: 3 });
        urls.set(again, url);
        return again;
      },
    },
  );

  describe('PostgresEventStore beyond the contract', () => {
    test('answers 300 random filters exactly like MemoryStore', async () => {
      const now = (): number => NOW;
      const store = await PostgresEventStore.connect(await pg.freshDatabase(), { now, maxConnections: 8 });
      const memory = new MemoryStore({ now });
      try {
        const stored: NostrEvent[] = [];
        const pending: Array<Promise<unknown>> = [];
        for (let i = 0; i < 800; i++) {
          const e = randomEvent(i, stored);
          const expected = await memory.save(e);
          // saves of different events run concurrently; the outcome of each must match the serial one
          pending.push(store.save(e).then((got) => assert.equal(got, expected, `save #${i} kind ${e.kind}`)));
          if (pending.length === 8) await Promise.all(pending.splice(0));
          stored.push(e);
        }
        await Promise.all(pending);
        assert.equal(await store.count([{}]), await memory.count([{}]));
        for (let q = 0; q < 300; q++) {
          const filters = Array.from({ length: rand() < 0.2 ? 2 + Math.floor(rand() * 3) : 1 }, () => randomFilter(stored));
          const opts = rand() < 0.2 ? { maxLimit: 1 + Math.floor(rand() * 30) } : {};
          const label = JSON.stringify({ filters, opts });
          assert.deepEqual(await store.queryRaw(filters, opts), await memory.queryRaw(filters, opts), label);
          if (q % 5 === 0) {
            assert.equal(await store.count(filters), await memory.count(filters), `count ${label}`);
            assert.deepEqual(await store.idsForNegentropy(filters), await memory.idsForNegentropy(filters), `neg ${label}`);
          }
        }
      } finally {
        await store.close();
      }
    });

    test('two instances saving competing versions of one address at once keep one winner, the same for both', async () => {
      const url = await pg.freshDatabase();
      const a = await PostgresEventStore.connect(url, { maxConnections: 10 });
      const b = await PostgresEventStore.connect(url, { maxConnections: 10 });
      try {
        for (let round = 0; round < 20; round++) {
          const versions = Array.from({ length: 10 }, (_, i) => buildEvent({ kind: 30618, created_at: 1000 + round * 100 + (i % 4), tags: [['d', `race-${round}`]], content: `v${i}` }));
          await Promise.all(versions.map((v, i) => (i % 2 === 0 ? a : b).save(v)));
          const expected = [...versions].sort((x, y) => (x.created_at !== y.created_at ? y.created_at - x.created_at : x.id < y.id ? -1 : 1))[0]!;
          for (const s of [a, b]) {
            const got = await s.query([{ kinds: [30618], '#d': [`race-${round}`] }]);
            assert.deepEqual(got.map((e) => e.id), [expected.id], `round ${round}`);
          }
        }
        // an event and its deletion racing from two instances: the deleted event never survives
        for (let round = 0; round < 20; round++) {
          const e = buildEvent({ kind: 1, created_at: 2000 + round });
          const del = buildEvent({ kind: 5, created_at: 2100 + round, tags: [['e', e.id]] });
          await Promise.all([a.save(e), b.save(del)]);
          assert.equal(await a.has(e.id), false, `round ${round}: deleted event kept`);
          assert.equal(await b.save(e), 'deleted');
        }
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
