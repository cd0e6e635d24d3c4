import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from './lmdb-store.js';
import { runStoreContract } from './store.contract.js';
import type { EventStore } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'graspd-lmdb-'));
after(() => rmSync(root, { recursive: true, force: true }));
const dirs = new Map<EventStore, string>();
let n = 0;

runStoreContract(
  'LmdbStore',
  async ({ now }) => {
    const dir = join(root, String(n++));
    const store = await LmdbStore.open(dir, { now });
    dirs.set(store, dir);
    return store;
  },
  {
    reopen: async (store, { now }) => {
      const dir = dirs.get(store)!;
      await store.close();
      const again = await LmdbStore.open(dir, { now });
      dirs.set(again, dir);
      return again;
    },
  },
);
