// The shared EventStore contract (store/types.ts): every implementation runs this suite from its own test file.
// Save semantics (NIP-01 versions, NIP-09, NIP-40) live in contract-save.ts, filters/limits/order/count/
// negentropy in contract-query.ts, durability across reopen here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventStore } from './types.js';
import { buildEvent } from './test-events.js';
import { saveContract } from './contract-save.js';
import { queryContract } from './contract-query.js';

/** A controllable clock in seconds, shared by the suite and the store under test. */
export interface ContractClock {
  now: number;
}

export type MakeStore = (opts: { now: () => number }) => Promise<EventStore>;

export interface ContractOptions {
  /** Closes the store and opens the same data again; omitted for stores without persistence. */
  reopen?: (store: EventStore, opts: { now: () => number }) => Promise<EventStore>;
}

export interface ContractContext {
  clock: ContractClock;
  /** a new empty store on the shared clock, reset to 1_700_000_000; closed by the caller */
  fresh: () => Promise<EventStore>;
}

export function runStoreContract(name: string, makeStore: MakeStore, options: ContractOptions = {}): void {
  const clock: ContractClock = { now: 1_700_000_000 };
  const fresh = (): Promise<EventStore> => {
    clock.now = 1_700_000_000;
    return makeStore({ now: () => clock.now });
  };
  const ctx: ContractContext = { clock, fresh };

  describe(`EventStore contract: ${name}`, () => {
    saveContract(ctx);
    queryContract(ctx);

    test('keeps saved events, versions and tombstones across a reopen', { skip: !options.reopen }, async () => {
      let store = await ctx.fresh();
      const kept = buildEvent({ created_at: 100, tags: [['e', 'x'.repeat(64)]] });
      const gone = buildEvent({ created_at: 101 });
      const profile = buildEvent({ kind: 0, created_at: 102 });
      const expiring = buildEvent({ created_at: 103, tags: [['expiration', String(clock.now + 10)]] });
      await store.save(kept);
      await store.save(gone);
      await store.save(profile);
      await store.save(expiring);
      await store.save(buildEvent({ kind: 5, created_at: 104, tags: [['e', gone.id]] }));
      store = await options.reopen!(store, { now: () => clock.now });
      try {
        assert.equal(await store.has(kept.id), true);
        assert.equal(await store.has(gone.id), false);
        assert.equal(await store.save(gone), 'deleted');
        assert.equal(await store.save(buildEvent({ kind: 0, created_at: 90 })), 'superseded');
        assert.deepEqual((await store.query([{ '#e': ['x'.repeat(64)] }])).map((e) => e.id), [kept.id]);
        assert.equal(await store.count([{ ids: [expiring.id] }]), 1);
        clock.now += 10;
        assert.equal(await store.count([{ ids: [expiring.id] }]), 0);
      } finally {
        await store.close();
      }
    });
  });
}
